# everything removed
