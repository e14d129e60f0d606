package listkit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var monthsEN = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

func ymd(y, m, d int) string {
	if m == 0 {
		return fmt.Sprintf("%04d", y)
	}
	if d == 0 {
		return fmt.Sprintf("%04d-%02d", y, m)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func validYMD(y, m, d int) bool {
	if y < 1000 || y > 2999 || m < 0 || m > 12 || d < 0 || d > 31 || (m == 0 && d != 0) {
		return false
	}
	if d == 0 {
		return true
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// DateEnglish reads the day-month-year forms of OFAC and UN remarks:
// "28 Jul 1963", "Jul 1963", "1963", "28 July 1963", and ISO "1963-07-28".
// It returns "YYYY", "YYYY-MM" or "YYYY-MM-DD", or "" when s is not a date.
func DateEnglish(s string) string {
	s = strings.TrimSuffix(Clean(s), ".")
	if d := DateISO(s); d != "" {
		return d
	}
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		if y, ok := atoi(f[0]); ok && len(f[0]) == 4 && validYMD(y, 0, 0) {
			return ymd(y, 0, 0)
		}
	case 2:
		m, ok1 := monthsEN[strings.ToLower(f[0])]
		y, ok2 := atoi(f[1])
		if ok1 && ok2 && validYMD(y, m, 0) {
			return ymd(y, m, 0)
		}
	case 3:
		d, ok1 := atoi(f[0])
		m, ok2 := monthsEN[strings.ToLower(f[1])]
		y, ok3 := atoi(f[2])
		if ok1 && ok2 && ok3 && validYMD(y, m, d) {
			return ymd(y, m, d)
		}
	}
	return ""
}

// DateISO accepts "YYYY-MM-DD", "YYYY-MM" and "YYYY" (and a time part after
// "T", which EU files carry) and returns the date part when it is valid.
func DateISO(s string) string {
	s = Clean(s)
	if i := strings.IndexByte(s, 'T'); i == 10 {
		s = s[:10]
	}
	p := strings.Split(s, "-")
	if len(p) > 3 || len(p[0]) != 4 {
		return ""
	}
	var n [3]int
	for i, x := range p {
		v, ok := atoi(x)
		if !ok || (i > 0 && len(x) != 2) {
			return ""
		}
		n[i] = v
	}
	if !validYMD(n[0], n[1], n[2]) {
		return ""
	}
	return ymd(n[0], n[1], n[2])
}

// DateSlash reads "a/b/yyyy" dates. dayFirst selects "dd/mm/yyyy" (UK) over
// "mm/dd/yyyy" (BIS). The UK list writes unknown parts as "dd" and "mm"
// ("dd/mm/1945"), which give a year-only or year-month date.
func DateSlash(s string, dayFirst bool) string {
	p := strings.Split(Clean(s), "/")
	if len(p) != 3 {
		return ""
	}
	a, b, ys := p[0], p[1], p[2]
	if !dayFirst {
		a, b = b, a
	}
	y, ok := atoi(ys)
	if !ok || len(ys) != 4 {
		return ""
	}
	d, dok := atoi(a)
	m, mok := atoi(b)
	switch {
	case !mok:
		return ymd(y, 0, 0)
	case !dok:
		if validYMD(y, m, 0) {
			return ymd(y, m, 0)
		}
		return ""
	}
	if !validYMD(y, m, d) {
		return ""
	}
	return ymd(y, m, d)
}

// DateExcelSerial turns an Excel day number (days since 1899-12-30, the
// 1900 date system) into "YYYY-MM-DD". Spreadsheets hand these out when a
// date cell carries a number format the reader does not know.
func DateExcelSerial(s string) string {
	n, err := strconv.ParseFloat(Clean(s), 64)
	if err != nil || n < 1 || n > 2958465 {
		return ""
	}
	t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n))
	return t.Format("2006-01-02")
}
