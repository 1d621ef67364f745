// The Tessera umbrella: one import gives the whole pipeline.
@_exported import LinearAlgebra
@_exported import ProfileLoading
@_exported import AudienceGenerator
@_exported import Clustering
@_exported import Factorization
@_exported import SegmentInsights
@_exported import WallExport
@_exported import TabularText
