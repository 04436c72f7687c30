package dev.provtrace.text.template;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/**
 * Python's {@code datetime.strftime} for a naive local time, as glibc renders it in the C locale (English names,
 * {@code %c} = "Thu Jan  1 00:00:00 2026", {@code %z}/{@code %Z} empty), including glibc's flags
 * ({@code %-d}, {@code %_d}, {@code %0e}, {@code %^a}, {@code %#p}) and Python's own {@code %f}.
 * Unknown directives are copied through, as glibc does.
 */
final class Strftime {
    private Strftime() {}

    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    private static final String[] MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December"};

    static String format(LocalDateTime t, String fmt) {
        StringBuilder out = new StringBuilder();
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= n) { out.append(c); continue; }
            int start = i;
            char flag = 0;
            char f = fmt.charAt(++i);
            if (f == '-' || f == '_' || f == '0' || f == '^' || f == '#') {
                if (i + 1 >= n) { out.append(fmt, start, n); break; }
                flag = f;
                f = fmt.charAt(++i);
            }
            String v = directive(t, f, flag);
            if (v == null) out.append(fmt, start, i + 1);
            else out.append(v);
        }
        return out.toString();
    }

    private static String num(long v, int width, char flag, char defaultPad) {
        String s = Long.toString(v);
        char pad = flag == '-' ? 0 : flag == '_' ? ' ' : flag == '0' ? '0' : defaultPad;
        if (pad == 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int k = s.length(); k < width; k++) sb.append(pad);
        return sb.append(s).toString();
    }

    private static String text(String s, char flag) {
        if (flag == '^') return s.toUpperCase();
        if (flag == '#') return s.toUpperCase().equals(s) ? s.toLowerCase() : s.toUpperCase();
        return s;
    }

    private static String directive(LocalDateTime t, char f, char flag) {
        int dow = t.getDayOfWeek().getValue(); // 1 = Monday
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        switch (f) {
            case 'a': return text(DAYS[dow - 1].substring(0, 3), flag);
            case 'A': return text(DAYS[dow - 1], flag);
            case 'b': case 'h': return text(MONTHS[t.getMonthValue() - 1].substring(0, 3), flag);
            case 'B': return text(MONTHS[t.getMonthValue() - 1], flag);
            case 'c': return format(t, "%a %b %e %H:%M:%S %Y");
            case 'C': return num(t.getYear() / 100, 2, flag, '0');
            case 'd': return num(t.getDayOfMonth(), 2, flag, '0');
            case 'D': case 'x': return format(t, "%m/%d/%y");
            case 'e': return num(t.getDayOfMonth(), 2, flag, ' ');
            case 'f': return num(t.getNano() / 1000, 6, flag == '-' ? 0 : flag, '0');
            case 'F': return format(t, "%Y-%m-%d");
            case 'G': return num(t.get(IsoFields.WEEK_BASED_YEAR), 1, flag, '0');
            case 'g': return num(t.get(IsoFields.WEEK_BASED_YEAR) % 100, 2, flag, '0');
            case 'H': return num(t.getHour(), 2, flag, '0');
            case 'I': return num(hour12, 2, flag, '0');
            case 'j': return num(t.getDayOfYear(), 3, flag, '0');
            case 'k': return num(t.getHour(), 2, flag, ' ');
            case 'l': return num(hour12, 2, flag, ' ');
            case 'm': return num(t.getMonthValue(), 2, flag, '0');
            case 'M': return num(t.getMinute(), 2, flag, '0');
            case 'n': return "\n";
            case 'p': return flag == '#' ? (t.getHour() < 12 ? "am" : "pm") : (t.getHour() < 12 ? "AM" : "PM");
            case 'P': return t.getHour() < 12 ? "am" : "pm";
            case 'r': return format(t, "%I:%M:%S %p");
            case 'R': return format(t, "%H:%M");
            case 's': return Long.toString(t.atZone(ZoneId.systemDefault()).toEpochSecond());
            case 'S': return num(t.getSecond(), 2, flag, '0');
            case 't': return "\t";
            case 'T': case 'X': return format(t, "%H:%M:%S");
            case 'u': return num(dow, 1, flag, '0');
            case 'U': {
                int yday = t.getDayOfYear() - 1;
                int wday = dow % 7; // Sunday = 0
                return num((yday + 7 - wday) / 7, 2, flag, '0');
            }
            case 'V': return num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, flag, '0');
            case 'w': return num(dow % 7, 1, flag, '0');
            case 'W': {
                int yday = t.getDayOfYear() - 1;
                int wday = (dow + 6) % 7; // Monday = 0
                return num((yday + 7 - wday) / 7, 2, flag, '0');
            }
            case 'y': return num(t.getYear() % 100, 2, flag, '0');
            case 'Y': return num(t.getYear(), 1, flag, '0');
            case 'z': case 'Z': return "";
            case '%': return "%";
            default: return null;
        }
    }
}
