import ArgumentParser
import Tessera

/// The firm's assets, partners and interest aliases (shared by `segment` and `wall`).
struct CatalogueOptions: ParsableArguments {
    @Option(help: "The firm's assets: CSV id,name,kind,interests[,url,notes] (interests separated by ;).")
    var assets: String?

    @Option(help: "Potential partners: CSV id,name,kind,interests[,reach,notes].")
    var partners: String?

    @Option(help: "Interest aliases: CSV alias,interest (e.g. #nfl,@nfl).")
    var aliases: String?

    /// Writes the catalogue files given into a job (a file not given leaves the job's own).
    func apply(to spec: inout JobSpec) {
        if let assets { spec.assets = assets }
        if let partners { spec.partners = partners }
        if let aliases { spec.aliases = aliases }
    }
}
