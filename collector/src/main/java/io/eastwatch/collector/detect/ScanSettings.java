package io.eastwatch.collector.detect;

/**
 * Tunables of the Threshold Random Walk scan test.
 *
 * @param detectionProbability   P_D, the wanted probability of flagging a real scanner (beta in the paper).
 *                               Higher makes the test demand more evidence before calling a source benign, so
 *                               it resets less often and catches scanners that mix in successes.
 * @param falsePositiveProbability P_F, the wanted probability of flagging a benign source (alpha). Lower means
 *                               fewer false alarms but more probes before a scan is declared (log(1/P_F) grows).
 * @param scannerSuccessRate     theta1: probability that a scanner's first contact succeeds. Raising it toward
 *                               the benign rate weakens every observation (more probes needed).
 * @param benignPriorSuccess     prior mean of theta0, the benign first-contact success rate, before a workload's
 *                               own learned contacts outweigh it.
 * @param benignPriorWeight      how many learned first contacts the prior counts as. Higher trusts the global
 *                               prior longer (steadier, less tailored to odd workloads).
 * @param maxBenignSuccess       cap on the learned theta0. A workload whose contacts all succeeded would
 *                               otherwise make a single failure decisive; lowering the cap needs more failures.
 * @param darknetLikelihoodRatio likelihood ratio of a probe to an address no container holds, to a port the target
 *                               never served, or a NULL/FIN/XMAS probe (scanners often, benign clients almost
 *                               never). Higher makes darknet hits decisive sooner; a stale address in a benign
 *                               client's cache then weighs more.
 * @param stateIdleMicros        a source's test is forgotten after this long without a first contact (event time).
 *                               Longer catches slower scans and costs memory.
 * @param maxSources             sources with an open test; the least recent is evicted beyond it (counted).
 */
public record ScanSettings(
        double detectionProbability,
        double falsePositiveProbability,
        double scannerSuccessRate,
        double benignPriorSuccess,
        double benignPriorWeight,
        double maxBenignSuccess,
        double darknetLikelihoodRatio,
        long stateIdleMicros,
        int maxSources) {

    public ScanSettings {
        if (!(detectionProbability > 0.5 && detectionProbability < 1)) {
            throw new IllegalArgumentException("detectionProbability: " + detectionProbability + " (expected: 0.5 < p < 1)");
        }
        if (!(falsePositiveProbability > 0 && falsePositiveProbability < 0.5)) {
            throw new IllegalArgumentException("falsePositiveProbability: " + falsePositiveProbability + " (expected: 0 < p < 0.5)");
        }
        if (!(scannerSuccessRate > 0 && scannerSuccessRate < 1)) {
            throw new IllegalArgumentException("scannerSuccessRate: " + scannerSuccessRate + " (expected: 0 < p < 1)");
        }
        if (!(benignPriorSuccess > scannerSuccessRate && benignPriorSuccess < 1)) {
            throw new IllegalArgumentException("benignPriorSuccess: " + benignPriorSuccess + " (expected: scannerSuccessRate < p < 1)");
        }
        if (!(benignPriorWeight > 0)) {
            throw new IllegalArgumentException("benignPriorWeight: " + benignPriorWeight + " (expected: > 0)");
        }
        if (!(maxBenignSuccess > scannerSuccessRate && maxBenignSuccess < 1)) {
            throw new IllegalArgumentException("maxBenignSuccess: " + maxBenignSuccess + " (expected: scannerSuccessRate < p < 1)");
        }
        if (!(darknetLikelihoodRatio > 1)) {
            throw new IllegalArgumentException("darknetLikelihoodRatio: " + darknetLikelihoodRatio + " (expected: > 1)");
        }
        if (stateIdleMicros < 1_000_000L) {
            throw new IllegalArgumentException("stateIdleMicros: " + stateIdleMicros + " (expected: >= 1000000)");
        }
        if (maxSources < 1) {
            throw new IllegalArgumentException("maxSources: " + maxSources + " (expected: > 0)");
        }
    }

    public static ScanSettings defaults() {
        return new ScanSettings(0.99, 0.001, 0.2, 0.8, 20, 0.95, 50, 3_600_000_000L, 100_000);
    }
}
