import CTesseraKernels

/// Which instruction sets the clustering kernels were compiled for (see Package.swift).
public enum KernelBuild {
#if TESSERA_FMA
    public static let instructionSets = "AVX2+FMA"
    /// Whether the kernels can run on this CPU.
    public static var isSupportedByThisCPU: Bool { tessera_cpu_has_avx2_fma() != 0 }
#else
    public static let instructionSets = "baseline"
    public static var isSupportedByThisCPU: Bool { true }
#endif
}
