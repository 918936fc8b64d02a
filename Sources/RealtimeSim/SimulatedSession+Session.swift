import MediaEngine

/// `session.created` and `session.update`.
extension SimulatedSession {
    /// `session.created` (on connect) or `session.updated`, with the full effective session.
    func sendSession(created: Bool) {
        let session: JSONValue
        do {
            session = try settings.json(sessionID: sessionID, expiresAt: expiresAt)
        } catch {
            logger.error("cannot encode the session", metadata: ["error": "\(error)"])
            return
        }
        let payload = RealtimeServerEvent.Session(eventID: nextEventID(), session: session)
        send(created ? .sessionCreated(payload) : .sessionUpdated(payload))
    }

    /// Merges a partial update into the effective session and answers `session.updated`, or answers an
    /// `error` (and changes nothing) when the real API would refuse it: a type other than realtime, both
    /// output modalities, a voice change after the model has spoken, out-of-range speed, threshold or
    /// token limit. Format errors such as `audio/pcm` at a rate other than 24000, or a missing
    /// `session.type`, are already refused while decoding.
    func updateSession(_ update: RealtimeSessionConfig, clientEventID: String?) {
        let next: SimulatedSessionSettings
        do {
            next = try settings.merged(with: update, assistantAudioProduced: assistantAudioProduced)
        } catch {
            sendError(code: error.code, message: error.message, param: error.param, clientEventID: clientEventID)
            return
        }
        let turnDetectionChanged = next.turnDetection != settings.turnDetection
        settings = next
        if let vad = settings.vad, vad.settings != detector.settings { detector.settings = vad.settings }
        if turnDetectionChanged {
            detector.resetTurn()
            speechItemID = nil
        }
        sendSession(created: false)
    }
}
