package luabind

// A table wider than the terminal wraps every row into an unreadable
// staircase. fitColumns first leaves out columns that are empty in every
// row, then narrows the widest text columns (their cells are cut with
// "..."), then leaves out columns on the right, as PowerShell's
// Format-Table does.

// minTextColumn is the narrowest a text column is cut to: cutting short
// words ("Spo...") costs more than it saves, so a column narrower than
// this stays whole and columns are left out instead. Headers stay whole.
const minTextColumn = 12

// column is what fitting needs to know of a column.
type column struct {
	width, header int
	numeric       bool // never cut: a cut number misleads
	empty         bool // no row has a value
}

// fitColumns returns the indexes of the columns that fit in limit
// characters (columns are separated by one space) and their widths.
// limit <= 0 means no limit.
func fitColumns(cols []column, limit int) (keep, widths []int) {
	for c, col := range cols {
		keep = append(keep, c)
		widths = append(widths, col.width)
	}
	if limit <= 0 {
		return keep, widths
	}
	total := func() int {
		t := len(widths) - 1
		for _, w := range widths {
			t += w
		}
		return t
	}
	drop := func(i int) {
		keep = append(keep[:i], keep[i+1:]...)
		widths = append(widths[:i], widths[i+1:]...)
	}
	for i := len(keep) - 1; i >= 0 && total() > limit && len(keep) > 1; i-- {
		if cols[keep[i]].empty {
			drop(i)
		}
	}
	for total() > limit {
		widest := -1
		for i, c := range keep {
			col := cols[c]
			if !col.numeric && widths[i] > max(col.header, min(col.width, minTextColumn)) && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		switch {
		case widest >= 0:
			widths[widest]--
		case len(keep) > 1:
			drop(len(keep) - 1) // nothing left to narrow
		default:
			return keep, widths
		}
	}
	return keep, widths
}
