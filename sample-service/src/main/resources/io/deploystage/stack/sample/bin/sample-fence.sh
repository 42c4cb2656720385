# Sourced by the sample's tools. fence DIR WHAT: holds an exclusive lock on the target WHAT (its state in DIR) for the
# rest of the tool's run, so commands on one target never interleave, and refuses (exit 6) a command whose
# DEPLOYSTAGE_FENCING_TOKEN is lower than the highest token a command on that target carried: a driver that stalled
# past its lease while another drove on must not change what the other did. A command without a token is not fenced.
fence() {
  local dir="$1" what="$2" token="${DEPLOYSTAGE_FENCING_TOKEN:-}" seen=0
  mkdir -p "$dir"
  exec 9>"$dir/lock"
  flock 9
  [ -n "$token" ] || return 0
  [[ "$token" =~ ^[0-9]{1,18}$ ]] || { echo "$(basename "$0"): bad DEPLOYSTAGE_FENCING_TOKEN '$token'" >&2; exit 2; }
  [ -f "$dir/fence" ] && seen=$(cat "$dir/fence")
  if [ "$token" -lt "$seen" ]; then
    echo "$(date +%s%3N) refused $what $token $seen ${DEPLOYSTAGE_STEP_ID:-}" >> "$SAMPLE_HOME/actions.log"
    echo "$(basename "$0"): refused: fencing token $token is older than $seen, which a later command on $what carried" \
      "(this driver lost its lease; another drives the deployment now)" >&2
    exit 6
  fi
  echo "$token" > "$dir/fence"
}
