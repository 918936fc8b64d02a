extension SimulatorScript {
    /// A dental clinic's phone line in Hebrew (the default language) and English, built on the bundled
    /// clips. The turns' `heard` texts are exactly the bundled caller clips' texts, in the order a caller
    /// would say them (appointment, details, accept, goodbye), so the demo and the load generator can play
    /// caller clip `n` and the simulator "hears" its words.
    ///
    /// Rules: `book_appointment` on the 3rd audio turn (then the "booked" reply once the client returns the
    /// result), and `end_call` after saying goodbye when the caller says goodbye. Both only fire when the
    /// session declares the tool.
    public static let `default` = SimulatorScript(
        defaultLanguage: "he",
        languages: [
            "he": Conversation(
                greeting: Reply(clip: "greeting"),
                turns: [
                    Turn(heard: "שלום, אני רוצה לקבוע תור לבדיקה.", reply: Reply(clip: "ask-details")),
                    Turn(heard: "קוראים לי דני כהן, המספר שלי אפס חמש ארבע, שתיים שלוש ארבע, חמש שש שבע שמונה.",
                         reply: Reply(clip: "offer")),
                    Turn(heard: "כן, זה מתאים לי.", reply: Reply(clip: "booked")),
                    Turn(heard: "תודה, להתראות.", reply: Reply(clip: "goodbye")),
                ]),
            "en": Conversation(
                greeting: Reply(clip: "greeting"),
                turns: [
                    Turn(heard: "Hi, I would like to book a dental checkup.", reply: Reply(clip: "ask-details")),
                    Turn(heard: "My name is Dan Cohen, my number is zero five four, two three four, five six seven eight.",
                         reply: Reply(clip: "offer")),
                    Turn(heard: "Yes, that works for me.", reply: Reply(clip: "booked")),
                    Turn(heard: "Thanks, goodbye.", reply: Reply(clip: "goodbye")),
                ]),
        ],
        functionCalls: [
            FunctionCallRule(name: "end_call", arguments: "{}", keywords: ["להתראות", "goodbye"],
                             speakReplyFirst: true),
            FunctionCallRule(name: "book_appointment", arguments: #"{"day":"tuesday","time":"10:00"}"#, onTurn: 3,
                             followUp: Reply(clip: "booked")),
        ])
}
