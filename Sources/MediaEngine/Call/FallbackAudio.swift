import Foundation

/// The spoken apology a caller hears when the model cannot be reached, cached in memory as mu-law
/// 8 kHz (what Twilio plays), per language. Rendered once by scripts/render-fallback-audio.sh.
public enum FallbackAudio {
    private static let hebrew = load("fallback-he")
    private static let english = load("fallback-en")

    /// The apology in `language` (8 kHz mu-law bytes).
    public static func muLaw(for language: TenantLanguage) -> [UInt8] {
        language == .hebrew ? hebrew : english
    }

    private static func load(_ name: String) -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "wav", subdirectory: "Resources"),
              let wav = try? WAVFile.read(path: url.path) else {
            // Only a broken package lacks the resource (FallbackAudioTests guards it): 100 ms of silence
            // keeps the call path working, and the caller is hung up right away.
            return [UInt8](repeating: MuLaw.silence, count: 800)
        }
        return MuLaw.encode(wav.samples)
    }
}
