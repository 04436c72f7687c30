package dev.provtrace.engine.cuda;

/**
 * The {@code --device} names that mean a real GPU: {@code cuda} (ordinal 0) or {@code cuda:N}. Parsed here, not in
 * the driver calls, so a bad name is an error before any library loads.
 */
public record CudaDeviceSpec(int ordinal) {
    public static boolean isCuda(String device) {
        return device.equals("cuda") || device.startsWith("cuda:");
    }

    public static CudaDeviceSpec parse(String device) {
        if (device.equals("cuda")) return new CudaDeviceSpec(0);
        if (!device.startsWith("cuda:")) throw new IllegalArgumentException("--device " + device + ": expected cuda or cuda:N");
        String n = device.substring("cuda:".length());
        if (n.isEmpty() || n.length() > 4 || !n.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("--device " + device + ": N in cuda:N must be a device number (0, 1, ...)");
        }
        return new CudaDeviceSpec(Integer.parseInt(n));
    }

    /** A device number past the ones the driver counted is an error that says how many there are. */
    public void checkAgainst(int deviceCount) {
        if (ordinal >= deviceCount) {
            throw new IllegalArgumentException("--device cuda:" + ordinal + ": this machine has " + deviceCount
                    + " CUDA device" + (deviceCount == 1 ? "" : "s") + " (cuda:0" + (deviceCount > 1 ? " to cuda:" + (deviceCount - 1) : "") + ")");
        }
    }
}
