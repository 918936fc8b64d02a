import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MediaEngine

/// Twilio's HTTP webhooks: the incoming-call webhook that answers with TwiML, and call status callbacks.
enum TwilioWebhookRoutes {
    static let maxBodyBytes = 64 * 1024

    static func add(to router: Router<BasicRequestContext>, engine: Engine) {
        router.post("/twilio/voice") { request, context in try await incomingCall(request, context: context, engine: engine) }
        router.post("/twilio/status") { request, context in try await statusCallback(request, context: context, engine: engine) }
    }

    /// `POST /twilio/voice`: find the tenant by the called number, check Twilio's signature, warm the
    /// call's model session up and answer `<Connect><Stream>` with a signed call token.
    static func incomingCall(_ request: Request, context: some RequestContext, engine: Engine) async throws -> Response {
        let (form, bodyError) = await readForm(request)
        if let bodyError { return bodyError }
        guard let called = form["To"], let callSid = form["CallSid"], !callSid.isEmpty else {
            return plain(.badRequest, "missing To or CallSid")
        }
        guard let tenant = engine.directory.tenant(forCalledNumber: called) else {
            engine.logger.notice("rejecting call to an unknown number", metadata: ["to": .string(called), "call": .string(callSid)])
            return xml(TwiML.reject(.rejected))
        }
        if let refusal = checkSignature(request, form: form, tenant: tenant, engine: engine) { return refusal }
        if await engine.registry.isDraining {
            engine.logger.notice("draining: refusing a new call", metadata: ["call": .string(callSid)])
            return xml(TwiML.reject(.busy))
        }
        let session: CallSession
        do {
            session = try await engine.startCall(callSid: callSid, tenant: tenant, from: form["From"] ?? "", to: called)
        } catch {
            engine.logger.error("cannot start call", metadata: ["call": .string(callSid), "error": "\(error)"])
            return xml(TwiML.reject(.busy))
        }
        await session.warmUp()
        expireIfNoStream(session, engine: engine)
        let token = engine.signer.issue(tenantID: tenant.id, callSid: callSid)
        let stream = TwiML.Stream(url: engine.configuration.mediaStreamURL, parameters: [
            .init(name: "tenant", value: tenant.id), .init(name: "token", value: token),
        ])
        do {
            return xml(try TwiML.connect(stream: stream))
        } catch {
            engine.logger.error("cannot build TwiML; check --public-url", metadata: ["error": "\(error)"])
            await session.end(reason: "TwiML could not be built: \(error)")
            return plain(.internalServerError, "engine misconfigured")
        }
    }

    /// `POST /twilio/status`: a call status callback. Its status (and `CallDuration`, when given) is
    /// recorded against the call through the store writer; a finished call still in progress here is ended.
    static func statusCallback(_ request: Request, context: some RequestContext, engine: Engine) async throws -> Response {
        let (form, bodyError) = await readForm(request)
        if let bodyError { return bodyError }
        guard let callSid = form["CallSid"], !callSid.isEmpty, let status = form["CallStatus"], !status.isEmpty else {
            return plain(.badRequest, "missing CallSid or CallStatus")
        }
        guard let called = form["To"], let tenant = engine.directory.tenant(forCalledNumber: called) else {
            return plain(.forbidden, "unknown number")
        }
        if let refusal = checkSignature(request, form: form, tenant: tenant, engine: engine) { return refusal }
        let duration = form["CallDuration"].flatMap { Int($0) }.map { max(0, $0) }
        engine.logger.info("call status", metadata: [
            "call": .string(callSid), "status": .string(status), "tenant": .string(tenant.id),
            "duration_s": .string(duration.map(String.init) ?? "-"),
        ])
        let report = CallStatusReport(
            callSID: callSid, from: form["From"] ?? "", to: called, twilioStatus: status, durationSeconds: duration,
            reportedAt: Date(), configVersion: tenant.version)
        engine.storage.writer.submit(.callStatus(report), tenant: TenantID(tenant.id))
        if report.isFinal, let session = await engine.registry.session(forCallSid: callSid) {
            await session.end(reason: "Twilio reports the call \(status)")
        }
        return Response(status: .noContent)
    }

    private static func readForm(_ request: Request) async -> (FormBody, Response?) {
        guard let body = try? await request.body.collect(upTo: maxBodyBytes) else {
            return (FormBody(""), plain(.contentTooLarge, "body over \(maxBodyBytes) bytes"))
        }
        return (FormBody(String(buffer: body)), nil)
    }

    /// Nil when `X-Twilio-Signature` is valid for the tenant's auth token; else the response to send.
    private static func checkSignature(_ request: Request, form: FormBody, tenant: TenantConfig, engine: Engine) -> Response? {
        let authToken: String
        do {
            authToken = try tenant.twilioAuthToken(from: engine.configuration.environment)
        } catch {
            engine.logger.error("tenant has no Twilio auth token configured", metadata: ["tenant": .string(tenant.id), "error": "\(error)"])
            return plain(.internalServerError, "tenant misconfigured")
        }
        let url = engine.configuration.publicURL(path: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))
        guard let signature = request.headers[.twilioSignature],
              TwilioSignatureValidator(authToken: authToken).isValid(signature: signature, url: url, parameters: form.pairs)
        else {
            engine.logger.warning("bad or missing X-Twilio-Signature", metadata: ["tenant": .string(tenant.id), "url": .string(url)])
            return plain(.forbidden, "invalid signature")
        }
        return nil
    }

    /// Ends a warmed-up call whose media stream never arrives.
    private static func expireIfNoStream(_ session: CallSession, engine: Engine) {
        let seconds = engine.configuration.streamWaitSeconds
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            if await session.state == .warming { await session.end(reason: "no media stream within \(seconds) s") }
        }
    }

    static func xml(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

extension HTTPField.Name {
    static let twilioSignature = HTTPField.Name("X-Twilio-Signature")!
}
