// The usage line and help of `sluice scan`, apart from the command so the plugin definition names
// them without loading the engine.
export const SCAN_USAGE = 'sluice scan [FILE|-] [--json] [--config FILE]';

/** What `sluice scan --help` prints: the usage line first, as a usage mistake shows it. */
export const SCAN_HELP = `usage: ${SCAN_USAGE}

Run the firewall's detectors (the options of the config's \`use: firewall\` entry, else the defaults)
over FILE, or stdin when FILE is - or absent, and list what they find: type, offsets, score,
detector and a masked preview — never the whole value.
Exit 1 when something is found, 0 when nothing is, 2 on error.

Options:
  -c, --config FILE   the config whose firewall options to use; default: $SLUICE_CONFIG, else
                      ./sluice.yaml, else the firewall's defaults
      --json          one JSON object per finding, a line each: {"type","start","end","score","detector","preview"}
  -h, --help          show this help`;
