#!/usr/bin/env bash
# Builds `zkstream` with GPU slots: the same binary plus boojum's GPU prover (shivini 0.156.2 on
# boojum-cuda 0.156.2) as the backend of GPU slots, compiled for NVIDIA Hopper (sm_90) by default.
#
#   ops/build-gpu.sh            # CUDA toolkit from PyPI, kernels for CUDAARCHS (default 90)
#   ops/build-gpu.sh --stubs    # no CUDA toolkit: CUDA calls replaced by stubs (checks that it compiles)
#   ops/build-gpu.sh --test     # also run the GPU tests (gpu/tests; they skip, saying why, without a GPU)
#   ops/build-gpu.sh --deps     # only what the binary is linked from (ops/test.sh compiles it beside the
#                               # suite, which runs target/release/zkstream: that file must stay as it is)
#
# What it installs, all from this machine's registries: cmake (Debian), the CUDA 13.0 compiler, headers
# and static runtime (PyPI's nvidia-cuda-* wheels, into target/gpu-tools), and the sources of shivini
# and boojum-cuda (crates.io, checked against their registry checksums, patched with ops/gpu/*.patch
# into target/gpu-vendor; gpu/Cargo.toml says why they are patched). The CUDA runtime is linked
# statically, so the binary needs only the NVIDIA driver (>= 580, for CUDA 13) on the GPU machine.
# The binary is built here (the GPU machine has no Rust) and runs on any x86-64 Linux; without a
# usable GPU it says why and proves on CPU slots.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

STUBS=0
TEST=0
DEPS=0
for arg in "$@"; do
    case "$arg" in
        --stubs) STUBS=1 ;;
        --test) TEST=1 ;;
        --deps) DEPS=1 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "build-gpu.sh: unknown argument $arg (expected --stubs, --test or --deps)" >&2; exit 2 ;;
    esac
done

export RUSTC_BOOTSTRAP=1
export CUDAARCHS="${CUDAARCHS:-90}"
TOOLS="$ROOT/target/gpu-tools"
VENDOR="$ROOT/target/gpu-vendor"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/gpu-build}"
# Hand-picked to match: nvcc/nvvm/crt 13.0.88, runtime 13.0.96, cccl 13.0.85 (the 13.0 release).
CUDA_WHEELS=(nvidia-cuda-nvcc==13.0.88 nvidia-nvvm==13.0.88 nvidia-cuda-crt==13.0.88
    nvidia-cuda-runtime==13.0.96 nvidia-cuda-cccl==13.0.85)

say() { echo "build-gpu: $*"; }

# 1. shivini and boojum-cuda from crates.io, verified and patched.
fetch_crate() {
    local name=$1 version=$2 sha=$3
    local dir="$VENDOR/$name-$version" file="$VENDOR/$name-$version.crate"
    if [ -f "$dir/.zkstream-patched" ]; then
        return
    fi
    mkdir -p "$VENDOR"
    rm -rf "$dir"
    curl -fsSL --retry 3 -o "$file" "https://static.crates.io/crates/$name/$name-$version.crate"
    echo "$sha  $file" | sha256sum -c --quiet -
    tar -xzf "$file" -C "$VENDOR"
    (cd "$dir" && patch -p1 --quiet < "$ROOT/ops/gpu/$name.patch")
    touch "$dir/.zkstream-patched"
    say "patched $name $version"
}
fetch_crate shivini 0.156.2 7617704fa3649dd44bd3f5509a6726f3e42cfb3df29b2c17ee62d931acbdd32c
fetch_crate boojum-cuda 0.156.2 e9e73a1028eed50eacb765ba77173beff7672fddc519a097514083488e921ceb

if [ "$STUBS" = 1 ]; then
    export ZKSYNC_USE_CUDA_STUBS=1
    unset CUDA_PATH
    say "building with CUDA stubs (no toolkit): compiles and runs, but no GPU slot can start"
else
    # 2. cmake (boojum-cuda builds its kernels with it) and the CUDA toolkit.
    if ! command -v cmake >/dev/null; then
        say "installing cmake (Debian)"
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cmake >/dev/null
    fi
    CUDA="$TOOLS/py/nvidia/cu13"
    if [ ! -x "$CUDA/bin/nvcc" ] || [ ! -d "$CUDA/include/cccl" ]; then
        say "installing the CUDA 13.0 toolkit wheels into $TOOLS"
        rm -rf "$TOOLS/py"
        python3 -m pip install -q --disable-pip-version-check --no-deps --target "$TOOLS/py" "${CUDA_WHEELS[@]}"
    fi
    # The layout the CUDA crates expect: $CUDA_PATH/{bin,include,lib64}. lib64 holds the static
    # runtime under the name `-lcudart` finds, so the binary does not depend on libcudart.so.
    mkdir -p "$CUDA/lib64"
    ln -sf ../lib/libcudart_static.a "$CUDA/lib64/libcudart.a"
    ln -sf ../lib/libcudart_static.a "$CUDA/lib64/libcudart_static.a"
    ln -sf ../lib/libcudadevrt.a "$CUDA/lib64/libcudadevrt.a"
    export CUDA_PATH="$CUDA"
    export PATH="$CUDA/bin:$PATH"
    export CUDACXX="$CUDA/bin/nvcc"
    say "nvcc: $(nvcc --version | tail -n 2 | head -n 1); kernels for sm_$CUDAARCHS"
fi

# 3. The binary and the GPU test binary (and the tests, if asked).
if [ "$DEPS" = 1 ]; then
    cargo build --release --locked --manifest-path gpu/Cargo.toml --features gpu --lib
    exit 0
fi
cargo build --release --locked --manifest-path gpu/Cargo.toml --features gpu
if [ "$TEST" = 1 ]; then
    cargo test --release --locked --manifest-path gpu/Cargo.toml --features gpu -- --nocapture
fi
TESTBIN=$(cargo test --release --locked --manifest-path gpu/Cargo.toml --features gpu --no-run \
    --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "gpu" and m.get("executable"):
        print(m["executable"])')
BIN="$CARGO_TARGET_DIR/release/zkstream"
if [ "$STUBS" = 0 ] && ldd "$BIN" | grep -q libcudart; then
    say "warning: the binary links libcudart dynamically; copy it next to the binary"
fi
# Stripped copies to take to the GPU machine (it has no Rust): the binary and the GPU tests
# (run there as `zkstream-gpu-tests --nocapture`).
DIST="$ROOT/target/gpu-dist"
mkdir -p "$DIST"
cp "$BIN" "$DIST/zkstream"
cp "$TESTBIN" "$DIST/zkstream-gpu-tests"
strip "$DIST/zkstream" "$DIST/zkstream-gpu-tests"
say "built $BIN"
say "for the GPU machine: $(du -h "$DIST/zkstream" | cut -f1) $DIST/zkstream, $(du -h "$DIST/zkstream-gpu-tests" | cut -f1) $DIST/zkstream-gpu-tests"
echo "$DIST/zkstream"
