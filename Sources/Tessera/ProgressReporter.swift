import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress on standard error: a redrawn bar on a terminal, plain lines every few seconds
/// otherwise (logs, CI), nothing when quiet.
public final class ProgressReporter: @unchecked Sendable {
    public enum Mode: Sendable { case bar, lines, quiet }

    public let mode: Mode
    private let clock = ContinuousClock()
    private var started: ContinuousClock.Instant
    private var lastLine: ContinuousClock.Instant
    private var drewBar = false
    private var currentStage = ""
    private let lock = NSLock()

    /// `quiet` silences it; otherwise a bar when stderr is a terminal, else plain lines.
    public init(quiet: Bool) {
        if quiet { mode = .quiet } else { mode = isatty(2) != 0 ? .bar : .lines }
        started = clock.now
        lastLine = clock.now
    }

    public init(mode: Mode) {
        self.mode = mode
        started = clock.now
        lastLine = clock.now
    }

    /// Reports `done` of `total` units of the stage `stage` with an optional detail.
    public func update(stage: String, done: Double, total: Double, detail: String = "") {
        lock.lock(); defer { lock.unlock() }
        if stage != currentStage {   // a new stage: its own clock
            currentStage = stage
            started = clock.now
            lastLine = clock.now
        }
        let fraction = total > 0 ? min(1, max(0, done / total)) : 0
        switch mode {
        case .quiet: return
        case .bar:
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let text = String(format: "\r%@ %@ %3.0f%% %@", stage.padding(toLength: 16, withPad: " ", startingAt: 0), bar, fraction * 100, detail)
            FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
            drewBar = true
        case .lines:
            guard clock.now - lastLine >= .seconds(2) else { return }
            lastLine = clock.now
            let elapsed = clock.now - started
            let text = String(format: "%@: %.0f%% %@ (%.1fs)\n", stage, fraction * 100, detail, elapsed.inSeconds)
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Ends a stage: clears the bar (a terminal) so the next output starts on a clean line.
    public func finish(stage: String, detail: String = "") {
        lock.lock(); defer { lock.unlock() }
        switch mode {
        case .quiet: return
        case .bar:
            if drewBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drewBar = false
        case .lines:
            break
        }
    }

    /// Writes a message line on stderr unless quiet.
    public func note(_ message: String) {
        guard mode != .quiet else { return }
        lock.lock(); defer { lock.unlock() }
        if drewBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drewBar = false }
        FileHandle.standardError.write(Data((TerminalText.safe(message) + "\n").utf8))
    }

    /// A loader progress callback drawing onto this reporter.
    public func loaderCallback() -> (LoadProgress) -> Void {
        { [self] p in
            update(stage: "loading", done: Double(p.bytesRead), total: Double(p.bytesTotal),
                   detail: String(format: "%.0f of %.0f MB", Double(p.bytesRead) / 1_048_576, Double(p.bytesTotal) / 1_048_576))
        }
    }
}
