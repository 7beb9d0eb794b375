#!/usr/bin/env bash
# Train only when config, domain, data, the NLU components or what they use changed: the
# model is named after a hash of those files, so an unchanged project reuses
# models/sepsis-<hash>.tar.gz. Prints the model path on the last line.
set -euo pipefail
source "$(dirname "$0")/common.sh"

fingerprint="$(find config.yml domain data components rasa_ext base content/language_cues.yml -type f \
  \( -name '*.yml' -o -name '*.py' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)"
model="models/sepsis-$fingerprint.tar.gz"
mkdir -p models
# One training at a time: a second caller waits, then finds the model made.
exec 9>models/.train.lock
flock 9
if [[ ! -f "$model" ]]; then
  echo "==> training (data, domain or config changed)" >&2
  start=$(date +%s)
  # --force: Rasa's own cache does not see data/safety or the components.
  "$RASA" train --force --domain domain --config config.yml --data data \
    --fixed-model-name "sepsis-$fingerprint" --out models >models/last-train.log 2>&1 \
    || { tail -40 models/last-train.log >&2; exit 1; }
  echo "==> trained in $(( $(date +%s) - start )) s" >&2
fi
echo "$model"
