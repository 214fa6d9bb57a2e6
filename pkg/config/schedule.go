package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Named warm schedules; anything else must be an EventBridge expression.
const (
	ScheduleBusinessHours = "business-hours"
	ScheduleAlways        = "always"
	ScheduleOff           = "off"
)

// checkSchedule accepts a named schedule or an EventBridge
// cron(...)/rate(...) expression.
func checkSchedule(s string) error {
	switch {
	case s == ScheduleBusinessHours, s == ScheduleAlways, s == ScheduleOff:
		return nil
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		if err := checkCron(s[len("cron(") : len(s)-1]); err != nil {
			return fmt.Errorf("bad cron expression %q: %w", s, err)
		}
		return nil
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		if err := checkRate(s[len("rate(") : len(s)-1]); err != nil {
			return fmt.Errorf("bad rate expression %q: %w", s, err)
		}
		return nil
	}
	return fmt.Errorf("%q is not business-hours, always, off, cron(...) or rate(...)", s)
}

// checkRate validates the inside of rate(...): "5 minutes", "1 hour".
// EventBridge wants the singular unit for 1 and the plural otherwise.
func checkRate(s string) error {
	parts := strings.Fields(s)
	if len(parts) != 2 || strings.Join(parts, " ") != s {
		return errors.New(`expected "rate(<value> <unit>)", e.g. rate(5 minutes)`)
	}
	v, err := strconv.Atoi(parts[0])
	if err != nil || v < 1 || parts[0][0] == '0' || parts[0][0] == '+' {
		return fmt.Errorf("value %q must be a positive whole number", parts[0])
	}
	unit := parts[1]
	switch unit {
	case "minute", "hour", "day":
		if v != 1 {
			return fmt.Errorf("unit %q is for a value of 1; use %ss", unit, unit)
		}
	case "minutes", "hours", "days":
		if v == 1 {
			return fmt.Errorf("a value of 1 takes the singular unit %q", strings.TrimSuffix(unit, "s"))
		}
	default:
		return fmt.Errorf("unit %q is not minute(s), hour(s) or day(s)", unit)
	}
	return nil
}

type cronField struct {
	name     string
	lo, hi   int
	names    []string // index i names value lo+i
	question bool     // "?" allowed
	last     bool     // L, nL (day-of-week), LW/nW (day-of-month)
}

var (
	monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
	cronFields = []cronField{
		{name: "minutes", lo: 0, hi: 59},
		{name: "hours", lo: 0, hi: 23},
		{name: "day-of-month", lo: 1, hi: 31, question: true, last: true},
		{name: "month", lo: 1, hi: 12, names: monthNames},
		{name: "day-of-week", lo: 1, hi: 7, names: dayNames, question: true, last: true},
		{name: "year", lo: 1970, hi: 2199},
	}
)

// checkCron validates the inside of cron(...): six fields (minutes hours
// day-of-month month day-of-week year) as EventBridge reads them; exactly
// one of day-of-month and day-of-week is "?".
func checkCron(s string) error {
	parts := strings.Fields(s)
	if len(parts) != 6 {
		return fmt.Errorf("want 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(parts))
	}
	for i, f := range cronFields {
		if err := f.check(parts[i]); err != nil {
			return fmt.Errorf("%s %q: %w", f.name, parts[i], err)
		}
	}
	dom, dow := parts[2] == "?", parts[4] == "?"
	switch {
	case dom && dow:
		return errors.New("day-of-month and day-of-week cannot both be ?")
	case !dom && !dow:
		return errors.New("day-of-month and day-of-week cannot both be set; use ? in one of them")
	}
	return nil
}

func (f cronField) check(s string) error {
	if s == "?" {
		if !f.question {
			return errors.New("? is only allowed in day-of-month and day-of-week")
		}
		return nil
	}
	items := strings.Split(s, ",")
	for _, item := range items {
		if err := f.item(item, len(items) > 1); err != nil {
			return err
		}
	}
	return nil
}

func (f cronField) item(s string, inList bool) error {
	if s == "" {
		return errors.New("empty list item")
	}
	if f.last {
		if special, err := f.lastItem(s, inList); special {
			return err
		}
	}
	base, step, hasStep := strings.Cut(s, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 || n > f.hi-f.lo+1 {
			return fmt.Errorf("step %q must be a whole number from 1 to %d", step, f.hi-f.lo+1)
		}
	}
	if base == "*" {
		return nil
	}
	from, to, isRange := strings.Cut(base, "-")
	a, err := f.value(from)
	if err != nil {
		return err
	}
	if !isRange {
		return nil
	}
	b, err := f.value(to)
	if err != nil {
		return err
	}
	if a > b && f.name != "day-of-week" && f.name != "month" {
		return fmt.Errorf("range %s runs backwards", base)
	}
	return nil
}

// lastItem handles L, W and # forms; special is false when s is none of them.
func (f cronField) lastItem(s string, inList bool) (special bool, err error) {
	switch {
	case f.name == "day-of-month" && (s == "L" || s == "LW"):
	case f.name == "day-of-month" && strings.HasSuffix(s, "W"):
		if _, err := f.value(strings.TrimSuffix(s, "W")); err != nil {
			return true, err
		}
	case f.name == "day-of-week" && s == "L":
	case f.name == "day-of-week" && strings.HasSuffix(s, "L"):
		if _, err := f.value(strings.TrimSuffix(s, "L")); err != nil {
			return true, err
		}
	case f.name == "day-of-week" && strings.Contains(s, "#"):
		day, nth, _ := strings.Cut(s, "#")
		if _, err := f.value(day); err != nil {
			return true, err
		}
		if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
			return true, fmt.Errorf("#%s: the instance must be 1 to 5", nth)
		}
	default:
		return false, nil
	}
	if inList {
		return true, fmt.Errorf("%s cannot be part of a list", s)
	}
	return true, nil
}

func (f cronField) value(s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' {
		if len(f.names) > 0 {
			return 0, fmt.Errorf("%q is not a number from %d to %d or one of %s", s, f.lo, f.hi, strings.Join(f.names, ","))
		}
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, f.lo, f.hi)
	}
	if v < f.lo || v > f.hi {
		return 0, fmt.Errorf("%d is outside %d..%d", v, f.lo, f.hi)
	}
	return v, nil
}

// checkDays validates business-hours days: a day-of-week list such as
// MON-FRI or MON,WED,FRI (names or 1-7, Sunday is 1).
func checkDays(s string) error {
	f := cronFields[4]
	f.question, f.last = false, false
	if strings.Contains(s, "/") || strings.TrimSpace(s) != s || s == "" {
		return fmt.Errorf("days %q: expected a day list such as MON-FRI or MON,WED,FRI", s)
	}
	if err := f.check(s); err != nil {
		return fmt.Errorf("days %q: %w", s, err)
	}
	return nil
}

// parseClock reads "HH:MM" as minutes after midnight; allow24 admits
// "24:00" as an end of day.
func parseClock(s string, allow24 bool) (int, error) {
	bad := fmt.Errorf("%q is not a time of day as HH:MM (00:00 to 23:59)", s)
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[0] == '-' || s[3] == '+' || s[3] == '-' {
		return 0, bad
	}
	if allow24 && h == 24 && m == 0 {
		return 24 * 60, nil
	}
	if h > 23 || m > 59 {
		return 0, bad
	}
	return h*60 + m, nil
}

// parseEvery reads a warm-up interval ("5m", "1h") as whole minutes, 1 to 60.
func parseEvery(s string) (int, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 5m", s)
	}
	if d < time.Minute || d > time.Hour {
		return 0, fmt.Errorf("%s is outside 1m..60m", s)
	}
	if d%time.Minute != 0 {
		return 0, fmt.Errorf("%s is not a whole number of minutes", s)
	}
	return int(d / time.Minute), nil
}

// EveryMinutes is the warm-up interval in minutes (Every is normalised to
// "<n>m" by Resolve).
func (w Warm) EveryMinutes() int {
	m, err := parseEvery(w.Every)
	if err != nil {
		return 0
	}
	return m
}

// Expressions returns the EventBridge Scheduler expressions that fire the
// warmers and the timezone they are read in (ScheduleExpressionTimezone);
// nil for "off". See ExpressionsAt; this is offset 0.
func (w Warm) Expressions() ([]string, string) { return w.ExpressionsAt(0) }

// ExpressionsAt returns the expressions of a warmer that fires at minute
// offset within each interval (offset is taken modulo Every), so that
// warmers of many functions spread over the interval instead of all
// firing in the same minute. business-hours becomes one to three cron
// expressions covering [start, end) every Every minutes on Days (a part of
// the window with no firing minute gets no expression); "always" is a
// cron expression every Every minutes; a raw cron/rate expression is
// returned as written, read in UTC.
func (w Warm) ExpressionsAt(offset int) ([]string, string) {
	every := w.EveryMinutes()
	if every == 0 {
		every = 5
	}
	offset %= every
	if offset < 0 {
		offset += every
	}
	switch w.Schedule {
	case ScheduleOff, "":
		return nil, ""
	case ScheduleAlways:
		switch {
		case every == 1:
			return []string{"cron(* * * * ? *)"}, "UTC"
		case every >= 60:
			return []string{fmt.Sprintf("cron(%d * * * ? *)", offset)}, "UTC"
		}
		return []string{fmt.Sprintf("cron(%d/%d * * * ? *)", offset, every)}, "UTC"
	case ScheduleBusinessHours:
	default:
		return []string{w.Schedule}, "UTC"
	}
	b := w.BusinessHours
	start, err1 := parseClock(b.Start, false)
	end, err2 := parseClock(b.End, true)
	if err1 != nil || err2 != nil || start >= end {
		return nil, ""
	}
	tz := b.Timezone
	if tz == "" {
		tz = "UTC"
	}
	days := b.Days
	if days == "" {
		days = "MON-FRI"
	}
	cron := func(minutes, hours string) string {
		return fmt.Sprintf("cron(%s %s ? * %s *)", minutes, hours, days)
	}
	hours := func(a, b int) string {
		if a == b {
			return strconv.Itoa(a)
		}
		return fmt.Sprintf("%d-%d", a, b)
	}
	// minutes fires every `every` minutes at the offset within from..to
	// of an hour; "" when no such minute exists.
	minutes := func(from, to int) string {
		first := from + ((offset-from)%every+every)%every
		if every >= 60 {
			first = offset
		}
		switch {
		case first < from || first > to:
			return ""
		case every >= 60 || first+every > to:
			return strconv.Itoa(first)
		case to == 59:
			return fmt.Sprintf("%d/%d", first, every)
		default:
			return fmt.Sprintf("%d-%d/%d", first, to, every)
		}
	}
	var out []string
	add := func(min, hrs string) {
		if min != "" {
			out = append(out, cron(min, hrs))
		}
	}
	sh, sm := start/60, start%60
	eh, em := end/60, end%60
	if sh == eh { // within one hour
		add(minutes(sm, em-1), strconv.Itoa(sh))
		return out, tz
	}
	firstFull := sh
	if sm != 0 {
		add(minutes(sm, 59), strconv.Itoa(sh))
		firstFull = sh + 1
	}
	if firstFull <= eh-1 {
		add(minutes(0, 59), hours(firstFull, eh-1))
	}
	if em != 0 {
		add(minutes(0, em-1), strconv.Itoa(eh))
	}
	return out, tz
}
