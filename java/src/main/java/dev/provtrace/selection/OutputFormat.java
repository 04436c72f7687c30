package dev.provtrace.selection;

/** How the selected candidates are written to {@code --output}. */
public enum OutputFormat {
    /** The input line as it was (every field carried through) plus the candidate's statistics. */
    JSONL,
    /**
     * Hugging Face chat format for supervised fine-tuning:
     * {@code {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": response}]}}.
     */
    SFT;

    public static OutputFormat parse(String s) {
        return switch (s.toLowerCase()) {
            case "jsonl" -> JSONL;
            case "sft" -> SFT;
            default -> throw new IllegalArgumentException("--format must be jsonl or sft, got " + s);
        };
    }
}
