// The usage line of `sluice scan`, apart from the command so the plugin definition names it without loading the engine.
export const SCAN_USAGE = 'sluice scan [FILE|-] [--json] [--config FILE]';
