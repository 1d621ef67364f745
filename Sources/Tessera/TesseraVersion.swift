/// The version of Tessera, written into every run manifest.
public enum TesseraVersion {
    public static let current = "0.1.0"
}
