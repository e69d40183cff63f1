#!/usr/bin/env bash
# Downloads the models listed in models/models.json into a models folder, checking sizes and sha256 values.
set -euo pipefail

manifest="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/models.json"
readonly manifest

usage() {
    cat <<'EOF'
usage: models/fetch.sh [--list] [MODEL_ID|all|defaults ...] [--dir DIR]

  MODEL_ID   an id or alias from models/models.json (see --list)
  defaults   the default model of each kind (also what no MODEL_ID means)
  all        every model in the manifest
  --dir DIR  the models folder (default: $MUESLI_MODELS, else ./.models)
  --list     print the models: id, kind, download size, licence, aliases

Files go to DIR/<directory>/<name>; an interrupted download resumes. Each file is
checked against the size and sha256 the manifest lists. models.json is copied
into DIR so that `muesli --models DIR` finds exactly these models.

When a download fails, the script says what to check (the network, a proxy in
HTTPS_PROXY), keeps a partial download as <name>.part for the next run to resume,
removes any folder it created that stays empty, and lists each file of the model
with its folder and sha256, for placing the files by hand.
MUESLI_FETCH_RETRIES sets curl's retries per file (default: 5).
EOF
}

fail() {
    printf 'fetch.sh: %s\n' "$*" >&2
    exit 1
}

# Reads the manifest (python3's json): "list" prints the table; "plan NAME..." prints
# one tab-separated line per file to fetch: id directory name url size sha256 ("-" = none).
manifest_query() {
    python3 - "$manifest" "$@" <<'PY'
import json
import sys

path, mode, names = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
except ValueError as e:
    sys.exit(f"fetch.sh: {path} is not valid JSON: {e}")
models = manifest.get("models") or []


def megabytes(model):
    sizes = [f.get("size") for f in model.get("files") or []]
    if any(s is None for s in sizes):
        known = sum(s for s in sizes if s is not None)
        return f">={known / 1e6:.1f} MB" if known else "unknown"
    return f"{sum(sizes) / 1e6:.1f} MB"


if mode == "list":
    defaults = set((manifest.get("defaults") or {}).values())
    print(f"{'ID':32} {'KIND':13} {'SIZE':>11}  {'LICENCE':11} ALIASES")
    for m in models:
        mark = "*" if m["id"] in defaults else " "
        aliases = ", ".join(m.get("aliases") or [])
        licence = m.get("license") or "-"
        print(f"{m['id'] + mark:32} {m['kind']:13} {megabytes(m):>11}  {licence:11} {aliases}")
    print("* = the default of its kind")
    sys.exit(0)

by_name = {}
for m in models:
    for name in [m["id"], *(m.get("aliases") or [])]:
        by_name[name.lower()] = m

chosen, unknown = [], []
for name in names or ["defaults"]:
    if name == "all":
        picked = models
    elif name == "defaults":
        ids = (manifest.get("defaults") or {}).values()
        picked = [by_name[i.lower()] for i in ids if i and i.lower() in by_name]
    elif name.lower() in by_name:
        picked = [by_name[name.lower()]]
    else:
        unknown.append(name)
        continue
    chosen += [m for m in picked if m not in chosen]

if unknown:
    known = ", ".join(m["id"] for m in models)
    sys.exit(f"fetch.sh: unknown model {', '.join(repr(u) for u in unknown)}; "
             f"known ids: {known} (aliases too: see --list)")

for m in chosen:
    for f in m.get("files") or []:
        size = f.get("size")
        fields = [m["id"], m["directory"], f["name"], f.get("url") or "-",
                  "-" if size is None else str(size), f.get("sha256") or "-"]
        print("\t".join(fields))
PY
}

file_size() {
    wc -c <"$1" | tr -d '[:space:]'
}

file_sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# True when FILE has the listed size and sha256 ("-" skips that check).
is_intact() {
    local file=$1 size=$2 sha=$3
    [[ -f $file ]] || return 1
    [[ $size == - || $(file_size "$file") == "$size" ]] || return 1
    [[ $sha == - || $(file_sha256 "$file") == "$sha" ]] || return 1
}

# Creates a folder and its missing parents, noting each one created, so that a failed run can remove those left empty.
created=()
make_dir() {
    local folder=$1 missing=()
    while [[ ! -d $folder ]]; do
        missing=("$folder" "${missing[@]}")
        folder=$(dirname "$folder")
    done
    ((${#missing[@]} == 0)) && return
    mkdir -p "${missing[-1]}"
    created+=("${missing[@]}")
}

# Removes the folders this run created that are empty, deepest first.
remove_empty_created() {
    local i
    for ((i = ${#created[@]} - 1; i >= 0; i--)); do
        rmdir "${created[$i]}" 2>/dev/null || true
    done
}

# A download failed: keeps a partial file to resume from, removes what would be left empty, and says what to do.
download_failed() {
    local id=$1 url=$2 part=$3
    [[ -s $part ]] || rm -f "$part"
    remove_empty_created
    {
        printf 'fetch.sh: %s: download of %s failed\n' "$id" "$url"
        printf '  check the network, or the proxy: curl uses HTTPS_PROXY (now: %s)\n' "${HTTPS_PROXY:-${https_proxy:-unset}}"
        if [[ -s $part ]]; then
            printf '  run the same command again: it resumes from %s (%s bytes so far)\n' "$part" "$(file_size "$part")"
        else
            printf '  run the same command again: files already downloaded are kept, an interrupted one resumes\n'
        fi
        printf '  or place the files of %s by hand, then check each sha256 (sha256sum FILE):\n' "$id"
        local fid directory name furl size sha
        while IFS=$'\t' read -r fid directory name furl size sha; do
            [[ $fid == "$id" ]] || continue
            printf '    %s/%s/%s  sha256 %s  from %s\n' "$dir" "$directory" "$name" "${sha/#-/(not listed)}" "$furl"
        done <<<"$plan"
        printf '  and copy %s to %s/models.json\n' "$manifest" "$dir"
    } >&2
    exit 1
}

fetch_file() {
    local id=$1 target=$2 url=$3 size=$4 sha=$5
    local part="$target.part"

    if is_intact "$target" "$size" "$sha"; then
        printf '  %s: already installed\n' "${target#"$dir"/}"
        return
    fi
    [[ $url != - ]] || fail "$id: ${target##*/} has no url in the manifest; copy it into $(dirname "$target") by hand"

    make_dir "$(dirname "$target")"
    # A .part at or past the listed size cannot be resumed (the server answers 416): start it again.
    if [[ -f $part && $size != - ]] && (($(file_size "$part") >= size)); then
        rm -f "$part"
    fi
    printf '  %s: downloading %s\n' "${target#"$dir"/}" "$url"
    if ! curl --fail --location --show-error --progress-bar \
        --retry "${MUESLI_FETCH_RETRIES:-5}" --retry-delay 3 --retry-connrefused \
        --continue-at - --output "$part" "$url"; then
        download_failed "$id" "$url" "$part"
    fi

    local actual_size actual_sha
    actual_size=$(file_size "$part")
    if [[ $size != - && $actual_size != "$size" ]]; then
        rm -f "$part"
        fail "$id: ${target##*/} is $actual_size bytes, the manifest lists $size; deleted it"
    fi
    actual_sha=$(file_sha256 "$part")
    if [[ $sha != - && $actual_sha != "$sha" ]]; then
        rm -f "$part"
        fail "$id: ${target##*/} has sha256 $actual_sha, the manifest lists $sha; deleted it"
    fi
    mv -f "$part" "$target"
    if [[ $sha == - ]]; then
        printf '  %s: %s bytes, sha256 %s (the manifest lists no checksum)\n' "${target#"$dir"/}" "$actual_size" "$actual_sha"
    else
        printf '  %s: %s bytes, sha256 verified\n' "${target#"$dir"/}" "$actual_size"
    fi
}

list=false
dir=${MUESLI_MODELS:-./.models}
names=()
while (($# > 0)); do
    case $1 in
    --list) list=true ;;
    --dir)
        if (($# < 2)) || [[ -z $2 ]]; then
            fail "--dir needs a folder (see --help)"
        fi
        dir=$2
        shift
        ;;
    --dir=*)
        dir=${1#--dir=}
        [[ -n $dir ]] || fail "--dir needs a folder (see --help)"
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*) fail "unknown option '$1' (see --help)" ;;
    *) names+=("$1") ;;
    esac
    shift
done

command -v python3 >/dev/null || fail "python3 is needed to read $manifest"
[[ -f $manifest ]] || fail "no manifest at $manifest"

if $list; then
    ((${#names[@]} == 0)) || fail "--list takes no model ids"
    manifest_query list
    exit 0
fi

command -v curl >/dev/null || fail "curl is needed to download models"
plan=$(manifest_query plan "${names[@]}") || exit 2
[[ -n $plan ]] || fail "nothing to fetch: the manifest names no such models"

make_dir "$dir"
dir=$(cd "$dir" && pwd)

installed=()
while IFS=$'\t' read -r id directory name url size sha; do
    if [[ ${#installed[@]} == 0 || ${installed[-1]} != "$id" ]]; then
        printf '%s -> %s/%s\n' "$id" "$dir" "$directory"
        installed+=("$id")
    fi
    fetch_file "$id" "$dir/$directory/$name" "$url" "$size" "$sha"
done <<<"$plan"

if [[ -f $dir/models.json ]] && ! cmp -s "$manifest" "$dir/models.json"; then
    cp "$dir/models.json" "$dir/models.json.old"
    printf 'kept the previous manifest as %s/models.json.old\n' "$dir"
fi
cp "$manifest" "$dir/models.json"

printf '\ninstalled in %s: %s\n' "$dir" "${installed[*]}"
printf 'use them with:  muesli backend --models %q ...\n' "$dir"
printf '           or:  export MUESLI_MODELS=%q\n' "$dir"
