import Testing
@testable import engine_server

@Suite struct CPUAffinityTests {
    @Test func countsTheKernelsCPUListFormat() {
        #expect(CPUAffinity.count(cpuList: "0") == 1)
        #expect(CPUAffinity.count(cpuList: "\t0-1") == 2)
        #expect(CPUAffinity.count(cpuList: "0-3,6,8-9") == 7)
        #expect(CPUAffinity.count(cpuList: "3-1") == nil)
        #expect(CPUAffinity.count(cpuList: "x") == nil)
        #expect(CPUAffinity.count(cpuList: "") == nil)
    }

    @Test func readsThisProcesssAffinity() throws {
        let count = try #require(CPUAffinity.allowedCPUCount())
        #expect(count >= 1)
    }
}
