import Foundation

/// The call's recording (tenants with recording on): both sides mixed into one Ogg Opus file by a
/// `CallAudioRecorder`, fed from the hot path without allocating or awaiting. A recording that fails
/// (disk full, file removed) is abandoned and logged; the call itself goes on.
extension CallSession {
    /// Opens the recording file when the media stream starts (calls that never get a stream leave no file).
    func startRecording() {
        guard let path = settings.recordingPath, audioRecorder == nil else { return }
        do {
            audioRecorder = try CallAudioRecorder(path: path, comments: ["KOL_TENANT=\(tenantID)", "KOL_CALL=\(callSid)"])
        } catch {
            logger.error("cannot start the call's recording; the call goes on unrecorded",
                         metadata: ["path": .string(path), "error": "\(error)"])
        }
    }

    /// Mixes the inbound frame just decoded by the ingress stage into the recording.
    func recordCallerFrame(timestampMs: Int, nowNs: UInt64) {
        guard let recorder = audioRecorder else { return }
        let failure = ingress.withPCM8k { pcm -> (any Error)? in
            do {
                try recorder.appendCaller(pcm, timestampMs: timestampMs, nowNs: nowNs)
                return nil
            } catch {
                return error
            }
        }
        if let failure { abandonRecording(failure) }
    }

    /// Queues a frame of bot audio as it was sent to Twilio.
    func recordBotFrame(_ muLaw: UnsafeBufferPointer<UInt8>, playoutStartNs: UInt64) {
        guard let recorder = audioRecorder else { return }
        do {
            try recorder.appendBot(muLaw, playoutStartNs: playoutStartNs)
        } catch {
            abandonRecording(error)
        }
    }

    /// Twilio's buffer was cleared: bot audio sent but not yet played is taken out of the recording.
    func recordClear(nowNs: UInt64) { audioRecorder?.clearBot(atNs: nowNs) }

    /// Closes the file and reports it (`recordingFinished`); called once, as the call ends. The work (last
    /// page, `fsync`) goes to the `RecordingFinisher`, off the call's event loop; the report follows the
    /// call's `ended`.
    func finishRecording() {
        guard let recorder = audioRecorder else { return }
        audioRecorder = nil
        let handoff = RecorderHandoff(recorder: recorder)
        let observer = self.observer
        let logger = self.logger
        RecordingFinisher.submit {
            let recorder = handoff.recorder
            do {
                let (durationMs, sizeBytes) = try recorder.finish()
                observer(.recordingFinished(path: recorder.path, durationMs: durationMs, sizeBytes: sizeBytes))
            } catch {
                logger.error("cannot finish the call's recording; removing it", metadata: ["path": .string(recorder.path), "error": "\(error)"])
                try? FileManager.default.removeItem(atPath: recorder.path)
            }
        }
    }

    private func abandonRecording(_ error: any Error) {
        guard let recorder = audioRecorder else { return }
        audioRecorder = nil  // closes the file
        logger.error("the call's recording failed; removing it, the call goes on",
                     metadata: ["path": .string(recorder.path), "error": "\(error)"])
        try? FileManager.default.removeItem(atPath: recorder.path)
    }
}

/// A call's recorder on its way to the `RecordingFinisher`. `@unchecked Sendable` because ownership moves:
/// the call drops its only reference (`audioRecorder = nil`) before handing it over, so from then on only
/// the finisher's queue touches it.
private struct RecorderHandoff: @unchecked Sendable {
    let recorder: CallAudioRecorder
}
