#!/usr/bin/env bash
# Long fuzzing of every parser of network bytes and config text, by hand, not
# in CI (CI replays the committed corpora and fuzzes 100-300k runs with a
# fixed seed):
#
#   tests/fuzz/fuzz-long.sh [RUNS] [TARGET...]     RUNS default 10000000
#
# Builds the libFuzzer targets with ASan+UBSan (clang) into build-fuzz-long/,
# runs each for RUNS executions with a random seed (printed, so a run can be
# repeated), two targets at a time, then merges what raised coverage into the
# committed corpus (libFuzzer -merge=1 keeps only inputs that add coverage),
# so the next CI run replays it. A crash, leak or UB report stops with
# status 1 and names the input that caused it (build-fuzz-long/artifacts/).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10000000}
shift || true
build=$top/build-fuzz-long
# target -> committed corpus it grows
declare -A corpus=(
  [hook_facts_policy_fuzz]=tests/fuzz/hooks/corpus
  [hook_json_config_fuzz]=tests/fuzz/hooks/json_corpus
  [radvd_lite_nd_fuzz]=tests/fuzz/radvd-lite/corpus/nd
  [radvd_lite_config_fuzz]=tests/fuzz/radvd-lite/corpus/config
  [tftpd_packet]=tests/fuzz/tftpd/corpus/packet
  [tftpd_negotiation]=tests/fuzz/tftpd/corpus/negotiation
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(hook_facts_policy_fuzz hook_json_config_fuzz radvd_lite_nd_fuzz
                                      radvd_lite_config_fuzz tftpd_packet tftpd_negotiation)
for t in "${targets[@]}"; do
  [ -n "${corpus[$t]:-}" ] || { echo "unknown target $t (known: ${!corpus[*]})" >&2; exit 2; }
done

mkdir -p "$build/artifacts" "$build/found"
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -G Ninja -DNETBOOT_SANITIZE=ON -DNETBOOT_LIBFUZZER=ON \
  -DNETBOOT_INTEGRATION=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/cmake.log" 2>&1 ||
  { cat "$build/cmake.log"; exit 1; }
cmake --build "$build" --target "${targets[@]}" > /dev/null
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

fuzz_one() {
  local t=$1 seed=$((RANDOM * 32768 + RANDOM)) bin found log execs before after start=$SECONDS
  bin=$(find "$build" -type f -name "$t" -perm -u+x | head -n 1)
  found=$build/found/$t
  log=$build/$t.log
  mkdir -p "$found"
  echo "== $t: $runs runs, seed $seed"
  if ! "$bin" -seed="$seed" -runs="$runs" -max_len=1500 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" "$found" "$top/${corpus[$t]}" > "$log" 2>&1; then
    echo "!! $t FAILED (seed $seed): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$log")"
    ls "$build/artifacts/$t-"* 2>/dev/null
    return 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  before=$(find "$top/${corpus[$t]}" -type f | wc -l)
  "$bin" -merge=1 "$top/${corpus[$t]}" "$found" > "$build/$t.merge.log" 2>&1
  after=$(find "$top/${corpus[$t]}" -type f | wc -l)
  echo "ok $t: $execs executions in $((SECONDS - start)) s, no crash; corpus ${corpus[$t]}: $before -> $after inputs"
}

status=0
pids=()
for t in "${targets[@]}"; do
  fuzz_one "$t" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
