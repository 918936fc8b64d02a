import Testing
@testable import MediaEngine

@Suite struct ConversationLogTests {
    @Test func aCutAppliesToItsOwnItemEvenWhenTheTranscriptComesLater() {
        var log = ConversationLog()
        log.append(.bot, "First answer.", itemId: "item_1")
        log.append(.caller, "A question")
        log.truncate(itemId: "item_2", toFraction: 0.5)  // barge-in before item_2's transcript arrived
        log.append(.bot, "abcdefghij", itemId: "item_2")
        #expect(log.lines.map(\.text) == ["First answer.", "A question", "abcde…"])
    }

    @Test func linesAreKeptWithoutTheWhiteSpaceAroundThem() {
        var log = ConversationLog()
        log.append(.caller, " \t שלום, אני רוצה תור\u{00A0}\n")
        log.append(.caller, "\u{2003}\r\n ")  // white space only: no line
        log.append(.bot, "Hi  there", itemId: "item_1")
        #expect(log.lines.map(\.text) == ["שלום, אני רוצה תור", "Hi  there"])
    }

    @Test func unheardItemsLeaveNoLine() {
        var log = ConversationLog()
        log.append(.bot, "Never heard", itemId: "item_9")
        log.truncate(itemId: "item_9", toFraction: 0)
        #expect(log.lines.isEmpty)
    }

    @Test func seedItemsReplayTheConversationInOrderAndStayBounded() {
        var log = ConversationLog(capacity: 3)
        for k in 0..<5 { log.append(k.isMultiple(of: 2) ? .caller : .bot, "line \(k)", itemId: "item_\(k)") }
        #expect(log.lines.map(\.text) == ["line 2", "line 3", "line 4"])
        #expect(log.seedItems.count == 3)
        #expect(log.seedItems.first == RealtimeItem.userText("line 2"))
        #expect(log.seedItems[1] == RealtimeItem.assistantText("line 3"))
    }
}
