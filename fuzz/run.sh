#!/usr/bin/env bash
# Runs the libFuzzer targets built in BUILD_DIR (fuzz/README.md):
#   fuzz/run.sh BUILD_DIR SECONDS [--fresh] [TARGET…]
# Each target first runs every checked-in seed (fuzz/corpus/<target>/; the catalog target also
# reads catalog/), then fuzzes for SECONDS. Inputs that reach new code go to
# BUILD_DIR/fuzz-corpus/<target>/ (outside git), or with --fresh to a temporary directory that is
# removed afterwards. A crash, an assertion, a sanitizer report or an input slower than 10 s
# fails the run and leaves the input in BUILD_DIR/fuzz-artifacts/. Each target has a dictionary
# of its format's tokens (fuzz/*.dict).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2
fresh=0
if [ "${1:-}" = "--fresh" ]; then
  fresh=1
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(http_request chat_request sse_reader anthropic_stream gemini_stream catalog)
fi
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failed=()
for t in "${targets[@]}"; do
  if [ $fresh -eq 1 ]; then new=$scratch/$t; else new=$build/fuzz-corpus/$t; fi
  mkdir -p "$new"
  seeds=("fuzz/corpus/$t")
  if [ "$t" = catalog ]; then seeds+=(catalog); fi
  case $t in
    http_request) dict=fuzz/http.dict ;;
    chat_request) dict=fuzz/chat_request.dict ;;
    catalog) dict=fuzz/catalog.dict ;;
    *) dict=fuzz/sse.dict ;;  # the SSE reader and the providers' streams
  esac
  log=$scratch/$t.log
  # ASan's leak check stays on; UBSan reports abort (-fno-sanitize-recover at build time).
  if "$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -dict="$dict" \
      -artifact_prefix="$artifacts/$t-" "$new" "${seeds[@]}" >"$log" 2>&1; then
    echo "fuzz_$t: $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  else
    echo "fuzz_$t FAILED:" >&2
    tail -n 60 "$log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs in $artifacts/)" >&2
  exit 1
fi
