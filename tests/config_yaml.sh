# Sourced by tests/integration/lib.sh and bench/lib.sh (not a test itself).
# render_config FILE STATE_DIR [EXTRA_YAML]: conf/switchyard.example.yaml on PROXY_PORT/ADMIN_PORT
# and the sandbox's ports (port_of), state in STATE_DIR; EXTRA_YAML replaces whole top-level
# sections of the same name. LOG_LEVEL (default info) sets logging.level.
render_config() {
  local file=$1 state_dir=$2 extra=${3:-}
  sed -e "s/^listen: .*/listen: 127.0.0.1:$PROXY_PORT/" -e "s/^  listen: 127.0.0.1:6080/  listen: 127.0.0.1:$ADMIN_PORT/" \
      -e "s|^state_dir: .*|state_dir: $state_dir|" \
      -e "s|address: 127.0.0.1:3307|address: 127.0.0.1:$(port_of db1)|" \
      -e "s|address: 127.0.0.1:3308|address: 127.0.0.1:$(port_of db2)|" \
      -e "s|address: 127.0.0.1:3309|address: 127.0.0.1:$(port_of db3)|" \
      -e "s|^  level: info|  level: ${LOG_LEVEL:-info}|" \
      "$REPO/conf/switchyard.example.yaml" >"$file"
  if [[ -n $extra ]]; then
    local section
    for section in $(grep -oE '^[a-z_]+:' <<<"$extra" | tr -d :); do
      # drop the section (its line and the indented lines after it) from the base
      awk -v s="$section" '$0 ~ "^"s":" {skip=1; next} skip && /^[ #]/ {next} {skip=0; print}' "$file" >"$file.tmp" && mv "$file.tmp" "$file"
    done
    printf '%s\n' "$extra" >>"$file"
  fi
}
