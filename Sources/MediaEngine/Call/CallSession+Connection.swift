import Foundation

/// The model connection of a call: connect with timeouts and backoff, send the session's settings,
/// reconnect and re-seed after a drop, roll over to a fresh session before the provider's cap, and fall
/// back to a spoken apology when the model cannot be reached.
extension CallSession {
    /// Runs model connections for the life of the call. A connection that was up and dropped is
    /// replaced at once; failed attempts back off; after `endpoint.maxAttempts` failures in a row the
    /// caller hears the fallback and the call ends.
    func superviseModel() async {
        var failures = 0
        var lastError = "no connection attempt made"
        while state != .ended, !Task.isCancelled {
            let generation = allocateGeneration()
            linkGeneration = generation
            modelReady = false
            connectAttempts += 1
            let opened = await runConnection(generation: generation, error: &lastError)
            guard state != .ended, !Task.isCancelled else { return }
            if generation != linkGeneration { return }  // rolled over: the new connection's task supervises now
            if opened {
                failures = 0
                modelDroppedNs = clock()
                link = nil
                modelReady = false
                logger.warning("model connection dropped; reconnecting", metadata: ["reason": .string(lastError)])
                continue
            }
            failures += 1
            link = nil
            if failures >= endpoint.maxAttempts {
                fallBack(reason: "model unreachable after \(failures) attempts: \(lastError)")
                return
            }
            let backoff = UInt64(endpoint.backoffMs) << UInt64(failures - 1)
            logger.warning("model connection attempt failed", metadata: ["attempt": .stringConvertible(failures), "error": .string(lastError)])
            try? await Task.sleep(nanoseconds: backoff * 1_000_000)
        }
    }

    /// One connection: dials, and returns whether it ever became ready (`session.created`). A watchdog
    /// closes it if it is not ready within the connect plus first-event timeouts.
    private func runConnection(generation: Int, error: inout String) async -> Bool {
        let model = settings.tenant.model.name
        let dialer = self.dialer
        let endpoint = self.endpoint
        let dial = Task {
            try await dialer.dial(endpoint, model: model, receiver: self.modelReceiver(generation: generation))
        }
        let deadline = UInt64(endpoint.connectTimeoutMs + endpoint.firstEventTimeoutMs) * 1_000_000
        let watchdog = Task {
            try? await Task.sleep(nanoseconds: deadline)
            await self.connectionDeadlinePassed(generation: generation, dial: dial)
        }
        let result = await dial.result
        watchdog.cancel()
        let wasReady = readyGenerations.contains(generation)
        readyGenerations.remove(generation)
        switch result {
        case .success: error = "connection closed by the model"
        case .failure(let failure): error = timedOutGenerations.remove(generation) != nil ? "no session within \(deadline / 1_000_000) ms" : "\(failure)"
        }
        return wasReady
    }

    /// How connection `generation` hands its messages to the call: synchronously on the call's executor
    /// (the transport's socket on the same event loop), else through `handleModel`.
    private nonisolated func modelReceiver(generation: Int) -> RealtimeReceiver {
        RealtimeReceiver(
            executor: executor,
            opened: { link in await self.linkOpened(link, generation: generation) },
            receive: { bytes in await self.handleModel(bytes, generation: generation) },
            receiveOnExecutor: { raw in
                // `assumeIsolated` runs the closure in place, on this thread, before returning, and traps
                // when that is not the call's executor (the receiver's contract): the borrowed bytes are
                // never used anywhere else or later, so handing them in cannot race.
                nonisolated(unsafe) let message = raw
                return self.assumeIsolated { $0.receiveModel(message, generation: generation) }
            },
            roomForAudio: { await self.waitForEgressRoom() })
    }

    private func connectionDeadlinePassed(generation: Int, dial: Task<Void, any Error>) async {
        guard !readyGenerations.contains(generation), state != .ended else { return }
        timedOutGenerations.insert(generation)
        if generation == linkGeneration, let link { await link.close() }
        dial.cancel()
    }

    private func linkOpened(_ newLink: any RealtimeLink, generation: Int) {
        guard state != .ended else { Task { await newLink.close() }; return }
        if generation == linkGeneration { link = newLink } else { pendingLinks[generation] = newLink }
        // session.update may go before session.created (protocols.md B.1).
        sendEvent(.sessionUpdate(.forCall(of: settings.tenant)), on: newLink)
    }

    /// `session.created` arrived on `generation`: the session is usable.
    func sessionCreated(generation: Int) {
        readyGenerations.insert(generation)
        if generation != linkGeneration, let pending = pendingLinks.removeValue(forKey: generation) {
            completeRollover(to: pending, generation: generation)
            return
        }
        guard generation == linkGeneration else { return }
        modelReady = true
        sessionStartedNs = clock()
        // The session's audio starts with the oldest buffered frame, if any were kept while it was down.
        appendMediaOffsetMs = preconnect.first?.mediaMs ?? nextAppendMediaMs
        if let dropped = modelDroppedNs {
            modelDroppedNs = nil
            seedConversation(on: link)
            observer(.modelReconnected(gapMs: Int((clock() - dropped) / 1_000_000)))
        } else {
            observer(.modelConnected(attempt: connectAttempts, afterMs: 0))
        }
        for kept in preconnect { link?.send(kept.frame) }
        preconnect.removeAll()
        preconnectMs = 0
        scheduleRollover()
    }

    /// Media time where the next append's audio starts: after the last frame, less what is still being
    /// gathered (`AppendPacer`).
    var nextAppendMediaMs: Int {
        mediaMs + ingress.pcmCount / 8 - ingress.pendingMs  // 0 before the first frame
    }

    private func seedConversation(on link: (any RealtimeLink)?) {
        guard let link else { return }
        for item in conversation.seedItems { sendEvent(.conversationItemCreate(item), on: link) }
    }

    /// Sends one append frame (`audioMs` of caller audio from media time `mediaMs`), or keeps it until
    /// the session is ready. What is kept is the latest `preconnectBufferMs`: the oldest goes first, so
    /// the model hears what the caller says now and its audio timeline stays continuous with the call's
    /// (its `audio_start_ms` values map back to media time, which barge-in onsets need).
    func sendToModel(_ appendFrame: [UInt8], audioMs: Int, mediaMs frameMediaMs: Int) {
        if modelReady, let link {
            link.send(appendFrame)
        } else if state != .ended {
            preconnect.append((frameMediaMs, audioMs, appendFrame))
            preconnectMs += audioMs
            while preconnectMs > settings.preconnectBufferMs, !preconnect.isEmpty {
                preconnectMs -= preconnect.removeFirst().audioMs
            }
        }
    }

    /// Sends a client event on the current connection (dropped, with a debug line, when there is none).
    func sendEvent(_ event: RealtimeClientEvent) {
        guard let link else {
            logger.debug("model not connected; dropped \(event.type)")
            return
        }
        sendEvent(event, on: link)
    }

    private func sendEvent(_ event: RealtimeClientEvent, on link: any RealtimeLink) {
        do {
            link.send(try event.jsonBytes())
        } catch {
            report(protocolError: "cannot encode \(event.type): \(error)")
        }
    }

    // MARK: Rollover before the provider's session cap

    private func scheduleRollover() {
        let maxAge = UInt64(settings.modelSessionMaxAgeMs) * 1_000_000
        rolloverTimer?.cancel()
        rolloverTimer = Task {
            try? await Task.sleep(nanoseconds: maxAge)
            guard !Task.isCancelled else { return }
            self.rolloverDue()
        }
    }

    private func rolloverDue() {
        rolloverWanted = true
        rollOverIfAtTurnBoundary()
    }

    /// Starts the replacement session when nobody is talking: no response in progress, no bot audio
    /// pending, caller silent.
    func rollOverIfAtTurnBoundary() {
        guard rolloverWanted, !rolloverInProgress, state == .live, modelReady, activeResponseId == nil,
              !egress.hasAudioPending, !detector.isCallerSpeaking else { return }
        rolloverWanted = false
        rolloverInProgress = true
        let generation = allocateGeneration()
        let model = settings.tenant.model.name
        let dialer = self.dialer
        let endpoint = self.endpoint
        logger.info("rolling model session over before its cap")
        let dial = Task {
            do {
                try await dialer.dial(endpoint, model: model, receiver: self.modelReceiver(generation: generation))
            } catch {
                self.rolloverFailed("\(error)", generation: generation)
            }
            self.rolledOverConnectionEnded(generation: generation)
        }
        let deadline = UInt64(endpoint.connectTimeoutMs + endpoint.firstEventTimeoutMs) * 1_000_000
        Task {
            try? await Task.sleep(nanoseconds: deadline)
            await self.rolloverDeadlinePassed(generation: generation, dial: dial)
        }
    }

    private func rolloverDeadlinePassed(generation: Int, dial: Task<Void, Never>) async {
        guard let pending = pendingLinks.removeValue(forKey: generation), generation != linkGeneration else {
            if generation != linkGeneration, rolloverInProgress, !readyGenerations.contains(generation) { dial.cancel() }
            return
        }
        rolloverFailed("no session within the deadline", generation: generation)
        await pending.close()
    }

    private func completeRollover(to newLink: any RealtimeLink, generation: Int) {
        seedConversation(on: newLink)
        let old = link
        linkGeneration = generation
        link = newLink
        modelReady = true
        rolloverInProgress = false
        sessionStartedNs = clock()
        appendMediaOffsetMs = nextAppendMediaMs
        if let old { Task { await old.close() } }
        observer(.modelSessionRolledOver)
        scheduleRollover()
    }

    private func rolloverFailed(_ error: String, generation: Int) {
        pendingLinks.removeValue(forKey: generation)
        guard rolloverInProgress else { return }
        rolloverInProgress = false
        logger.warning("session rollover failed; keeping the current session", metadata: ["error": .string(error)])
    }

    /// The rolled-over connection ended. If it was the current one and the call goes on, supervision
    /// resumes (reconnecting at once), as after any drop.
    private func rolledOverConnectionEnded(generation: Int) {
        pendingLinks.removeValue(forKey: generation)
        readyGenerations.remove(generation)
        guard state != .ended, generation == linkGeneration else {
            if generation != linkGeneration { rolloverInProgress = false }
            return
        }
        modelDroppedNs = clock()
        link = nil
        modelReady = false
        connectionTask = Task { await self.superviseModel() }
    }

    private func allocateGeneration() -> Int {
        generationCounter += 1
        return generationCounter
    }

    // MARK: Fallback

    /// The model cannot be reached: the caller hears the cached apology, then the call ends.
    func fallBack(reason: String) {
        logger.error("falling back: \(reason)")
        observer(.fallback(reason: reason))
        fallbackPlaying = true
        let audio = FallbackAudio.muLaw(for: settings.tenant.language)
        egress.enqueueLocal(itemId: "fallback", muLaw: audio)
        hangUpAfterPlayback(reason: "fallback: \(reason)")
    }

    func resumeBackpressureWaiters() {
        let waiters = backpressureWaiters
        backpressureWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }
}
