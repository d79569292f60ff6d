package io.eastwatch.sim.attack;

/** One attack scenario's traffic from the rogue replica; returns the event time of its last packet. */
interface Attack {
    long run(AttackContext ctx);
}
