package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.provtrace.io.RecordIds;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What scoring found for one candidate, before labelling: each sentence's probability under the teacher and the
 * original student (p = exp(mean token log-prob), NaN for a sentence a model gave no scored token), and the GRAPE
 * score (NaN when not computed). Small enough to spill to disk when β must first be chosen from every Δ_TS.
 */
public record CandidateScores(long line, String id, String questionId, int responseChars, double[] pTeacher,
                              double[] pStudent, double grapeScore, JsonNode idValue, JsonNode questionIdValue) {
    public CandidateScores(long line, String id, String questionId, int responseChars, double[] pTeacher,
                           double[] pStudent, double grapeScore) {
        this(line, id, questionId, responseChars, pTeacher, pStudent, grapeScore, TextNode.valueOf(id), TextNode.valueOf(questionId));
    }

    public CandidateScores {
        if (pTeacher.length != pStudent.length) {
            throw new IllegalArgumentException("p_T has " + pTeacher.length + " sentences, p_S has " + pStudent.length);
        }
    }

    public int sentences() { return pTeacher.length; }

    void write(DataOutput out) throws IOException {
        out.writeLong(line);
        writeString(out, id);
        writeString(out, questionId);
        out.writeBoolean(idValue.isIntegralNumber());
        out.writeBoolean(questionIdValue.isIntegralNumber());
        out.writeInt(responseChars);
        out.writeDouble(grapeScore);
        out.writeInt(pTeacher.length);
        for (double p : pTeacher) out.writeDouble(p);
        for (double p : pStudent) out.writeDouble(p);
    }

    static CandidateScores read(DataInput in) throws IOException {
        long line = in.readLong();
        String id = readString(in), questionId = readString(in);
        JsonNode idValue = RecordIds.node(id, in.readBoolean()), questionIdValue = RecordIds.node(questionId, in.readBoolean());
        int chars = in.readInt();
        double grape = in.readDouble();
        int n = in.readInt();
        double[] t = new double[n], s = new double[n];
        for (int i = 0; i < n; i++) t[i] = in.readDouble();
        for (int i = 0; i < n; i++) s[i] = in.readDouble();
        return new CandidateScores(line, id, questionId, chars, t, s, grape, idValue, questionIdValue);
    }

    /** Length-prefixed UTF-8 (writeUTF stops at 64 KiB; ids are the user's and may be anything). */
    private static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
