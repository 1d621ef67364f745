import LinearAlgebra

extension KMeans {
    /// Places rows into existing segments: the nearest centre of each row and the squared distance to it.
    /// Rows are prepared as in `fit` (unit length for the cosine metric).
    public static func predict(_ data: ClusteringData, centres: DenseMatrix,
                               metric: KMeansMetric) throws -> (labels: [Int32], distances: [Float]) {
        guard data.columnCount == centres.columnCount else {
            throw ClusteringError.shapeMismatch("the rows have \(data.columnCount) columns, the model's centres \(centres.columnCount)")
        }
        try data.checkFinite()
        var prepared = data
        var norms = data.rowSquaredNorms()
        if metric == .cosine { (prepared, norms) = data.unitRows(norms: norms) }
        let kernel = makeAssignmentKernel(prepared, rowNorms: norms)
        let table = CentroidTable(centres: centres)
        let nearest = kernel.nearestCentres(table: table)
        return (nearest.labels.toArray(), nearest.best.toArray())
    }
}
