package harness

import "strings"

// SourceLine returns "file:line" as the dumps print it for the frame of fn
// in the first goroutine whose site (AtSite) is fn, or "" when there is
// none: the statement a goroutine waits at, for rules that read the source
// there (a select with time.After, a range over a ticker).
func SourceLine(fn string) string {
	for _, blk := range stackBlocks() {
		if g, ok := parseBlock(blk); !ok || !AtSite(g, fn) {
			continue
		}
		lines := strings.Split(blk, "\n")
		for j, l := range lines {
			if strings.HasPrefix(l, fn+"(") && j+1 < len(lines) {
				loc := strings.TrimSpace(lines[j+1])
				if k := strings.LastIndex(loc, " +0x"); k >= 0 {
					loc = loc[:k]
				}
				return loc
			}
		}
	}
	return ""
}
