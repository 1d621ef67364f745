import Testing
import LinearAlgebra

@Suite(.serialized) struct SparseDenseProductTests {
    @Test func timesMatchesNaiveProduct() throws {
        let x = Fixtures.sparse(300, 80, density: 0.1, seed: 11)
        let b = Fixtures.dense(80, 7, seed: 12)
        let got = try x.times(b)
        let expected = Fixtures.naiveProduct(x.toDense(), b)
        #expect(Fixtures.maxDifference(got, expected) < 1e-4)
    }

    /// The padded product of any width (the latent projection: r = 56 at k = 40, 120 at k = 100),
    /// with empty rows, equals the naive product and does not depend on the thread count.
    @Test(arguments: [1, 7, 16, 17, 56, 100])
    func paddedProductOfAnyWidthMatchesNaiveProduct(width: Int) throws {
        var dense = Fixtures.sparse(5_000, 90, density: 0.06, seed: 31).toDense()
        for i in stride(from: 0, to: 5_000, by: 97) { for j in 0..<90 { dense[i, j] = 0 } }
        let x = CSRMatrix(dense: dense)
        let b = Fixtures.dense(90, width, seed: 32)
        let one = Parallel.withThreads(1) { x.timesPadded(b) }
        let two = Parallel.withThreads(2) { x.timesPadded(b) }
        #expect(one == two)
        #expect(one.rowCount == 5_000 && one.columnCount == width)
        #expect(Fixtures.maxDifference(one, Fixtures.naiveProduct(dense, b)) < 1e-4)
        #expect((0..<width).allSatisfy { one[0, $0] == 0 && one[97, $0] == 0 })
    }

    @Test func transposeTimesMatchesNaiveProduct() throws {
        let x = Fixtures.sparse(5000, 60, density: 0.05, seed: 13)
        let b = Fixtures.dense(5000, 5, seed: 14)
        let got = try x.transposeTimes(b)
        let expected = Fixtures.naiveProduct(x.toDense().transposed(), b)
        #expect(Fixtures.maxDifference(got, expected) < 1e-3)
    }

    @Test func transposedMatchesTheDenseTransposeOnAnyThreadCount() throws {
        // 40,000 rows: eight row blocks count and scatter in parallel.
        let x = Fixtures.sparse(40_000, 50, density: 0.03, seed: 21)
        let one = Parallel.withThreads(1) { x.transposed() }
        let two = Parallel.withThreads(2) { x.transposed() }
        #expect(one == two)
        try two.validate()
        #expect(two.rowCount == 50 && two.columnCount == 40_000)
        #expect(two.toDense() == x.toDense().transposed())
        #expect(two.transposed() == x)
    }

    @Test func shapeMismatchIsATypedError() {
        let x = Fixtures.sparse(10, 8, density: 0.3, seed: 1)
        #expect(throws: LinearAlgebraError.self) { try x.times(Fixtures.dense(7, 2, seed: 1)) }
        #expect(throws: LinearAlgebraError.self) { try x.transposeTimes(Fixtures.dense(9, 2, seed: 1)) }
    }

    @Test func resultsAreIdenticalOnOneAndTwoThreads() throws {
        let x = Fixtures.sparse(20_000, 300, density: 0.02, seed: 15)
        let b = Fixtures.dense(300, 16, seed: 16)
        let bt = Fixtures.dense(20_000, 16, seed: 17)
        let (one, oneT) = try Parallel.withThreads(1) { (try x.times(b), try x.transposeTimes(bt)) }
        let (two, twoT) = try Parallel.withThreads(2) { (try x.times(b), try x.transposeTimes(bt)) }
        #expect(one == two)       // bitwise
        #expect(oneT == twoT)     // bitwise: fixed blocks reduced in block order
    }
}
