#!/usr/bin/env bash
# Coverage-guided fuzzing of model loading + AllocateTensors + Invoke with afl++ and SharpFuzz.
#   fuzz/run.sh [seconds]      build, instrument, fuzz (default 3600 s); findings in fuzz/findings/
#   fuzz/run.sh replay DIR...  run saved inputs (e.g. fuzz/findings/default/crashes) without afl
# Needs: afl++ (Debian: apt-get install afl++), SharpFuzz.CommandLine (dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:$HOME/.dotnet/tools"
out=ModelFuzz/bin/Release/net10.0
if [ "${1:-}" = replay ]; then
  # The plain build: instrumented code writes to afl's shared memory and dies without it.
  shift
  dotnet build ModelFuzz -c Release -v q --nologo >/dev/null
  exec dotnet "$out/ModelFuzz.dll" --replay "$@"
fi
seconds=${1:-3600}
dotnet build ModelFuzz -c Release -v q --nologo
# Instrument a copy, and only the runtime (not the harness, not the BCL): its branches are what afl++
# steers by, and the build output stays plain for replays.
rm -rf instrumented && cp -r "$out" instrumented
sharpfuzz instrumented/TinyMl.Interpreter.dll
# Seeds: the small models (afl++ works best under ~10 KB): TFLM's examples, the sine models, one seanet layer model
# per operator, and seeds-built/ (IF, WHILE, CALL_ONCE + resource variables, block-sparse DENSIFY, made with ModelBuilder).
mkdir -p seeds findings
for model in ../../shared/data/models/{hello_world_int8,hello_world_float,simple_add_model,audio_preprocessor_float,audio_preprocessor_int8,trained_lstm_int8}.tflite ../data/sine_*.tflite \
             ../../shared/data/seanet/{add/add16,conv/conv0,leaky_relu/leaky_relu22,pad/pad0,quantize/quantize1,strided_slice/strided_slice33,sub/sub4,transpose_conv/transpose_conv4}.tflite \
             seeds-built/*.tflite; do
  [ -f "$model" ] && cp "$model" seeds/
done
# SharpFuzz keeps one process looping over inputs (afl persistent mode); one input over 5 s is a hang.
# -m none: the CLR reserves far more address space than afl's default limit allows.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
  timeout "$seconds" afl-fuzz -i seeds -o findings -t 5000 -m none -- dotnet instrumented/ModelFuzz.dll || true
grep -E 'execs_done|run_time|saved_crashes|saved_hangs|corpus_count' findings/default/fuzzer_stats || true
