#!/usr/bin/env bash
# A headless Chromium for checking the reports as a reader sees them: finds one, or installs Debian's
# chromium-headless-shell without root into a cache folder on first use (apt-get download + dpkg -x of the packages
# this system lacks: about 100 MB to download, 300 MB on disk, 10 s; later runs start in under a second).
#
#   tools/report-screenshot.sh --browser                 print a command that runs the browser (installs it if needed)
#   tools/report-screenshot.sh --dump-dom IN.html        the page's DOM after its scripts ran, on stdout
#   tools/report-screenshot.sh IN.html|IN.svg OUT.png [WIDTHxHEIGHT]   a screenshot (default 1280x6000)
#   tools/report-screenshot.sh --outputs DIR             DIR/*.html and DIR/figures/*.svg to DIR/screenshots/*.png
#
# PROVTRACE_CHROMIUM: a browser binary to use as is. PROVTRACE_CHROMIUM_CACHE: where the private copy goes (default
# ~/.cache/provtrace-chromium). PROVTRACE_CHROMIUM_NO_INSTALL=1: exit 4 instead of installing (the tests use this,
# so that they never download anything; .ci/run installs first).
set -euo pipefail

CACHE=${PROVTRACE_CHROMIUM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/provtrace-chromium}
ROOT=$CACHE/root
WRAPPER=$CACHE/chromium   # the private binary with its libraries and fonts: what --browser prints
PACKAGES="chromium-headless-shell fonts-dejavu-core"

die() { echo "report-screenshot: $*" >&2; exit "${2:-1}"; }

# A browser already here: the one named, the wrapper of an earlier install, or a system one.
find_browser() {
    if [[ -n ${PROVTRACE_CHROMIUM:-} ]]; then
        [[ -x $PROVTRACE_CHROMIUM ]] || die "PROVTRACE_CHROMIUM=$PROVTRACE_CHROMIUM is not an executable file"
        echo "$PROVTRACE_CHROMIUM"; return 0
    fi
    [[ -x $WRAPPER ]] && { echo "$WRAPPER"; return 0; }
    local b
    for b in chromium-headless-shell chromium chromium-browser google-chrome; do
        command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return 0; }
    done
    return 1
}

install_private() {
    command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "no headless Chromium found, and no apt-get/dpkg to fetch one (set PROVTRACE_CHROMIUM)"
    local plan
    # what this system lacks for the packages (as root, fresh package lists first if apt cannot resolve them)
    if ! plan=$(apt-get install -s --no-install-recommends $PACKAGES 2>&1); then
        [[ $(id -u) == 0 ]] || die "apt-get cannot resolve $PACKAGES (no package lists? 'apt-get update' as root): $plan"
        apt-get update -qq >&2
        plan=$(apt-get install -s --no-install-recommends $PACKAGES)
    fi
    local need
    # the browser's own packages always (its data files, icudtl.dat among them, must sit beside the binary), and
    # the libraries only where the system lacks them
    need=$(awk '/^Inst /{print $2}' <<<"$plan" | grep -v -x -e chromium-headless-shell -e chromium-common || true)
    need="chromium-headless-shell chromium-common $need"
    local work
    work=$(mktemp -d)
    echo "report-screenshot: fetching into $CACHE:" $need >&2
    (cd "$work" && apt-get download $need >/dev/null 2>&1) || { rm -rf "$work"; die "apt-get download failed for: $need"; }
    rm -rf "$ROOT" && mkdir -p "$ROOT"
    for deb in "$work"/*.deb; do dpkg -x "$deb" "$ROOT"; done
    rm -rf "$work"
    local bin=$ROOT/usr/lib/chromium/chromium-headless-shell
    [[ -x $bin ]] || die "the packages unpacked, but $bin is missing"
    mkdir -p "$CACHE/fontconfig"
    cat >"$CACHE/fontconfig/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$ROOT/usr/share/fonts</dir>
  <cachedir>$CACHE/fontconfig/cache</cachedir>
</fontconfig>
CONF
    cat >"$WRAPPER.tmp" <<WRAP
#!/usr/bin/env bash
# made by tools/report-screenshot.sh: Debian's chromium-headless-shell unpacked under $ROOT
export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/usr/lib/x86_64-linux-gnu/pulseaudio\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
export FONTCONFIG_FILE=$CACHE/fontconfig/fonts.conf
exec $bin "\$@"
WRAP
    chmod +x "$WRAPPER.tmp" && mv "$WRAPPER.tmp" "$WRAPPER"
    echo "$WRAPPER"
}

browser() {
    find_browser && return 0
    [[ ${PROVTRACE_CHROMIUM_NO_INSTALL:-} == 1 ]] && die "no headless Chromium here (tools/report-screenshot.sh --browser installs one)" 4
    install_private
}

# Runs the browser headless on a file with a throw-away profile; the page's scripts get 2 s of virtual time.
run_browser() {
    local bin=$1 file=$2; shift 2
    local profile status=0
    profile=$(mktemp -d)
    "$bin" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
        --virtual-time-budget=2000 --run-all-compositor-stages-before-draw "$@" "file://$(realpath "$file")" 2>"$profile/log" \
        || status=$?
    [[ $status == 0 ]] || cat "$profile/log" >&2
    rm -rf "$profile"
    [[ $status == 0 ]] || die "the browser failed on $file (exit $status)"
}

screenshot() {
    local bin=$1 in=$2 out=$3 size=${4:-1280x6000}
    [[ -f $in ]] || die "$in: no such file"
    rm -f "$out"
    run_browser "$bin" "$in" --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")"
    [[ -s $out ]] || die "no screenshot of $in was written"
    echo "$out"
}

case ${1:-} in
    --browser) browser ;;
    --dump-dom)
        [[ $# == 2 && -f $2 ]] || die "usage: $0 --dump-dom IN.html"
        run_browser "$(browser)" "$2" --dump-dom ;;
    --outputs)
        [[ $# == 2 && -d $2 ]] || die "usage: $0 --outputs DIR"
        bin=$(browser)
        mkdir -p "$2/screenshots"
        shopt -s nullglob
        for f in "$2"/*.html; do screenshot "$bin" "$f" "$2/screenshots/$(basename "${f%.html}").png"; done
        for f in "$2"/figures/*.svg; do
            # the figure's own size, from its root element's width and height
            size=$(grep -o -m1 "<svg[^>]*>" "$f" | sed -nE "s/.* width=['\"]([0-9]+)[^'\"]*['\"] height=['\"]([0-9]+)[^'\"]*['\"].*/\1x\2/p" || true)
            screenshot "$bin" "$f" "$2/screenshots/figure-$(basename "${f%.svg}").png" "${size:-800x600}"
        done ;;
    ""|-h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
    *)
        [[ $# -ge 2 ]] || die "usage: $0 IN.html OUT.png [WIDTHxHEIGHT]"
        screenshot "$(browser)" "$@" ;;
esac
