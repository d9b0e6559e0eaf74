#!/usr/bin/env bash
# Create one virtualenv per peer library under benchmarks/.venvs/<peer> for benchmarks/speed.py.
#
#   bash benchmarks/setup_peers.sh            # all peers
#   bash benchmarks/setup_peers.sh darts keras # some of them
#   FORCE=1 bash benchmarks/setup_peers.sh    # rebuild even the ones that already work
#
# Idempotent: a peer whose venv already imports the pinned release is skipped. Every install
# goes through a constraints file pinning torch==2.13.0 (an unpinned torch pulls a multi-GB
# CUDA build; torch 2.13.0+cpu is on this machine's disk). The peers' releases are pinned too
# (override with e.g. DARTS_SPEC='darts[torch]' to take the latest), so a rerun measures the
# same code. Sizes: darts 1.8 GB, neuralforecast 1.7 GB, keras 1.1 GB, statsforecast
# 0.6 GB (no torch; torch is ~1 GB of the others). Logs: benchmarks/.venvs/<peer>.log.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/.venvs"
python="${PYTHON:-python3}"
mkdir -p "$root"

# torch pinned for every peer (the repository's constraints.txt, which pins torch==2.13.0;
# a copy is written if it is missing); the peers' own pins are below.
constraints="$here/../constraints.txt"
if ! grep -qx 'torch==2.13.0' "$constraints" 2>/dev/null; then
  constraints="$root/constraints.txt"
  printf 'torch==2.13.0\n' > "$constraints"
fi

DARTS_SPEC="${DARTS_SPEC:-darts[torch]==0.48.1}"
NEURALFORECAST_SPEC="${NEURALFORECAST_SPEC:-neuralforecast==3.3.0}"
KERAS_SPEC="${KERAS_SPEC:-keras==3.15.1}"
STATSFORECAST_SPEC="${STATSFORECAST_SPEC:-statsforecast==2.1.1}"

# peer -> "pip requirements" and "python check that must pass for the venv to count as done"
declare -A SPECS=(
  [darts]="$DARTS_SPEC torch==2.13.0"
  [neuralforecast]="$NEURALFORECAST_SPEC torch==2.13.0"
  [keras]="$KERAS_SPEC torch==2.13.0"
  [statsforecast]="$STATSFORECAST_SPEC"
)
declare -A CHECKS=(
  [darts]="import darts, torch; from darts.models import BlockRNNModel; assert torch.__version__.startswith('2.13.0'); print('darts', darts.__version__, 'torch', torch.__version__)"
  [neuralforecast]="import neuralforecast, torch; from neuralforecast.models import LSTM; assert torch.__version__.startswith('2.13.0'); print('neuralforecast', neuralforecast.__version__, 'torch', torch.__version__)"
  [keras]="import os; os.environ['KERAS_BACKEND'] = 'torch'; import keras, torch; assert keras.backend.backend() == 'torch'; assert torch.__version__.startswith('2.13.0'); print('keras', keras.__version__, 'torch', torch.__version__)"
  [statsforecast]="import statsforecast; from statsforecast.models import AutoETS; print('statsforecast', statsforecast.__version__)"
)
# The release each check must report (so a changed pin rebuilds the venv); empty: any.
want_version() { case "$1" in *==*) echo "${1##*==}" ;; *) echo "" ;; esac; }
peers=("$@")
if [ ${#peers[@]} -eq 0 ]; then
  peers=(darts neuralforecast keras statsforecast)
fi

status=0
for peer in "${peers[@]}"; do
  if [ -z "${SPECS[$peer]+x}" ]; then
    echo "unknown peer '$peer' (use: ${!SPECS[*]})" >&2
    exit 2
  fi
  venv="$root/$peer"
  log="$root/$peer.log"
  spec="${SPECS[$peer]%% *}"
  want="$(want_version "$spec")"
  if [ -z "${FORCE:-}" ] && [ -x "$venv/bin/python" ] \
      && out="$(KERAS_BACKEND=torch "$venv/bin/python" -c "${CHECKS[$peer]}" 2>/dev/null)" \
      && { [ -z "$want" ] || [[ "$out" == *" $want "* || "$out" == *" $want" ]]; }; then
    echo "$peer: already installed ($out)"
    continue
  fi
  echo "$peer: installing ${SPECS[$peer]} into $venv (log: $log)"
  [ -n "${FORCE:-}" ] && rm -rf "$venv"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  # shellcheck disable=SC2086
  if "$venv/bin/python" -m pip install --disable-pip-version-check -c "$constraints" \
       ${SPECS[$peer]} >"$log" 2>&1 \
     && out="$(KERAS_BACKEND=torch "$venv/bin/python" -c "${CHECKS[$peer]}" 2>>"$log")"; then
    size="$(du -sh "$venv" 2>/dev/null | cut -f1)"
    echo "$peer: ok ($out; venv $size)"
  else
    echo "$peer: FAILED, see $log" >&2
    tail -5 "$log" >&2 || true
    status=1
  fi
done
exit $status
