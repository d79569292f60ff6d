package io.eastwatch.agent.flow;

import com.google.protobuf.ByteString;
import io.eastwatch.flow.v1.EndReason;
import io.eastwatch.flow.v1.FlowRecord;
import io.eastwatch.flow.v1.InitiatorBasis;
import io.eastwatch.flow.v1.Outcome;
import io.eastwatch.flow.v1.ReportKind;

import java.util.function.IntFunction;

/**
 * Turns one slot of the {@link FlowStore} into a flow record, initiator first: the table keeps
 * its endpoints in canonical order (A below B), the record always says source = initiator.
 * One object per exported record is fine; none per packet.
 */
final class FlowRecords {

    private final CommunityId communityId = new CommunityId();
    private final IntFunction<String> interfaceNames;

    FlowRecords(IntFunction<String> interfaceNames) {
        this.interfaceNames = interfaceNames;
    }

    FlowRecord.Builder build(FlowStore st, int s, EndReason reason, ReportKind kind) {
        int meta = st.keyMeta[s];
        int protocol = meta & 0xff;
        int vlan = (meta >>> 8) & 0xfff;
        boolean v6 = (meta & FlowTable.META_V6) != 0;
        int state = st.state[s];
        boolean initIsB = (state & FlowTable.ST_INIT_B) != 0;

        long srcHi = initIsB ? st.bHi[s] : st.aHi[s];
        long srcLo = initIsB ? st.bLo[s] : st.aLo[s];
        long dstHi = initIsB ? st.aHi[s] : st.bHi[s];
        long dstLo = initIsB ? st.aLo[s] : st.bLo[s];
        int portA = st.ports[s] >>> 16;
        int portB = st.ports[s] & 0xffff;
        boolean hasPorts = FlowTable.hasPorts(protocol);
        int srcPort = hasPorts ? (initIsB ? portB : portA) : 0;
        int dstPort = hasPorts ? (initIsB ? portA : portB) : 0;
        int icmp = st.icmp[s];
        int icmpType = icmp & 0xff;
        int icmpCode = (icmp >>> 8) & 0xff;
        boolean isIcmp = protocol == FlowTable.ICMP || protocol == FlowTable.ICMPV6;
        int flagsA = st.tcpFlags[s] & 0xff;
        int flagsB = (st.tcpFlags[s] >>> 8) & 0xff;

        FlowRecord.Builder b = FlowRecord.newBuilder()
                .setFirstTsUs(st.firstTs[s])
                .setLastTsUs(Math.max(st.firstTs[s], st.lastTs[s]))
                .setSrcAddr(address(v6, srcHi, srcLo))
                .setDstAddr(address(v6, dstHi, dstLo))
                .setSrcPort(srcPort)
                .setDstPort(dstPort)
                .setProtocol(protocol)
                .setPacketsFwd(initIsB ? st.pktsB[s] : st.pktsA[s])
                .setBytesFwd(initIsB ? st.bytesB[s] : st.bytesA[s])
                .setPacketsRev(initIsB ? st.pktsA[s] : st.pktsB[s])
                .setBytesRev(initIsB ? st.bytesA[s] : st.bytesB[s])
                .setTcpFlagsFwd(initIsB ? flagsB : flagsA)
                .setTcpFlagsRev(initIsB ? flagsA : flagsB)
                .setOutcome(Outcome.forNumber(state & FlowTable.ST_OUTCOME_MASK))
                .setReport(kind)
                .setInitiatorBasis(InitiatorBasis.forNumber((state >>> FlowTable.ST_BASIS_SHIFT) & 0x3))
                .setEndReason(reason)
                .setCommunityId(communityId.compute(v6, srcHi, srcLo, dstHi, dstLo, protocol,
                        srcPort, dstPort, icmpType, icmpCode))
                .setVlan(vlan);
        if (isIcmp) {
            b.setIcmpType(icmpType).setIcmpCode(icmpCode);
        }
        if ((state & FlowTable.ST_ICMP_ERROR) != 0) {
            b.setIcmpErrorType((icmp >>> 16) & 0xff).setIcmpErrorCode((icmp >>> 24) & 0xff);
        }
        String name = interfaceNames == null ? null : interfaceNames.apply(st.iface[s] & 0xffff);
        if (name != null) {
            b.setInterface(name);
        }
        return b;
    }

    static ByteString address(boolean v6, long hi, long lo) {
        byte[] out = new byte[v6 ? 16 : 4];
        if (v6) {
            for (int i = 0; i < 8; i++) {
                out[i] = (byte) (hi >>> (56 - 8 * i));
                out[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            for (int i = 0; i < 4; i++) {
                out[i] = (byte) (lo >>> (24 - 8 * i));
            }
        }
        return ByteString.copyFrom(out);
    }
}
