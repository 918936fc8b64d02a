/// One key of the 4x4 DTMF keypad (ITU-T Q.23): a row tone from the low group and a column tone from
/// the high group.
///
/// ```
///            1209 Hz  1336 Hz  1477 Hz  1633 Hz
///   697 Hz      1        2        3        A
///   770 Hz      4        5        6        B
///   852 Hz      7        8        9        C
///   941 Hz      *        0        #        D
/// ```
/// The raw value is the key's character as Twilio spells it in `dtmf.digit` ("0"-"9", "*", "#"; A-D
/// exist on the keypad standard but few phones have them).
public enum DTMFDigit: Character, Sendable, CaseIterable, CustomStringConvertible {
    case one = "1", two = "2", three = "3", a = "A"
    case four = "4", five = "5", six = "6", b = "B"
    case seven = "7", eight = "8", nine = "9", c = "C"
    case star = "*", zero = "0", pound = "#", d = "D"

    /// Low-group (row) frequencies in Hz, top row first.
    public static let rowFrequencies: SIMD4<Double> = [697, 770, 852, 941]
    /// High-group (column) frequencies in Hz, left column first.
    public static let columnFrequencies: SIMD4<Double> = [1209, 1336, 1477, 1633]

    /// The key at `row` (0-3, top first) and `column` (0-3, left first).
    public init(row: Int, column: Int) {
        precondition((0..<4).contains(row) && (0..<4).contains(column), "DTMFDigit: row and column are 0...3")
        switch (row, column) {
        case (0, 0): self = .one
        case (0, 1): self = .two
        case (0, 2): self = .three
        case (0, 3): self = .a
        case (1, 0): self = .four
        case (1, 1): self = .five
        case (1, 2): self = .six
        case (1, 3): self = .b
        case (2, 0): self = .seven
        case (2, 1): self = .eight
        case (2, 2): self = .nine
        case (2, 3): self = .c
        case (3, 0): self = .star
        case (3, 1): self = .zero
        case (3, 2): self = .pound
        default: self = .d
        }
    }

    /// The key for a character such as "5" or "#" (A-D also in lower case); nil for anything else.
    public init?(character: Character) {
        switch character {
        case "a": self = .a
        case "b": self = .b
        case "c": self = .c
        case "d": self = .d
        default:
            guard let digit = DTMFDigit(rawValue: character) else { return nil }
            self = digit
        }
    }

    /// Row index 0-3 (top row first).
    public var row: Int {
        switch self {
        case .one, .two, .three, .a: 0
        case .four, .five, .six, .b: 1
        case .seven, .eight, .nine, .c: 2
        case .star, .zero, .pound, .d: 3
        }
    }

    /// Column index 0-3 (left column first).
    public var column: Int {
        switch self {
        case .one, .four, .seven, .star: 0
        case .two, .five, .eight, .zero: 1
        case .three, .six, .nine, .pound: 2
        case .a, .b, .c, .d: 3
        }
    }

    /// The row tone in Hz.
    public var rowFrequency: Double { Self.rowFrequencies[row] }
    /// The column tone in Hz.
    public var columnFrequency: Double { Self.columnFrequencies[column] }

    public var description: String { String(rawValue) }
}
