package diff

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
)

// gitlabStopsJSON is GitLab's list of required upgrade stops, with its
// source and the date it was copied.
//
//go:embed gitlab-upgrade-stops.json
var gitlabStopsJSON []byte

// upgradeStops is the parsed list.
type upgradeStops struct {
	Source    string `json:"source"`
	Retrieved string `json:"retrieved"`
	// ScheduleFrom is the version from which stops follow the schedule:
	// every major's ScheduledMinors, also for majors the list does not
	// name yet.
	ScheduleFrom    string `json:"scheduleFrom"`
	ScheduledMinors []int  `json:"scheduledMinors"`
	Stops           []struct {
		Version string `json:"version"`
		// OnlyFor says which instances need the stop; empty for all.
		OnlyFor string `json:"onlyFor"`
	} `json:"stops"`
}

func loadStops() (*upgradeStops, error) {
	var s upgradeStops
	if err := json.Unmarshal(gitlabStopsJSON, &s); err != nil {
		return nil, fmt.Errorf("gitlab-upgrade-stops.json: %v", err)
	}
	return &s, nil
}

// gitlabVersion is an omnibus image tag: 17.11.1-ce.0.
type gitlabVersion struct {
	Major, Minor, Patch int
	Edition             string // ce or ee
}

var tagPattern = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)-(ce|ee)\.\d+$`)

func parseGitLabTag(tag string) (gitlabVersion, bool) {
	m := tagPattern.FindStringSubmatch(tag)
	if m == nil {
		return gitlabVersion{}, false
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	return gitlabVersion{atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4]}, true
}

func parseVersion(s string) (gitlabVersion, bool) {
	return parseGitLabTag(s + "-ce.0")
}

func (v gitlabVersion) minorString() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// compare orders versions by major, minor and patch.
func (v gitlabVersion) compare(w gitlabVersion) int {
	for _, d := range []int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d != 0 {
			return d
		}
	}
	return 0
}

// stop is a required stop skipped by an upgrade.
type stop struct {
	Version string
	OnlyFor string
}

// skippedStops lists the required stops strictly between from and to by
// major.minor: an upgrade must pass through each. Upgrading to a stop's
// minor itself is fine.
func (s *upgradeStops) skippedStops(from, to gitlabVersion) []stop {
	var out []stop
	seen := map[string]bool{}
	before := func(a, b gitlabVersion) bool { return a.Major < b.Major || a.Major == b.Major && a.Minor < b.Minor }
	for _, st := range s.Stops {
		v, ok := parseVersion(st.Version)
		if ok && before(from, v) && before(v, to) {
			out = append(out, stop{st.Version, st.OnlyFor})
			seen[v.minorString()] = true
		}
	}
	// Majors the list does not reach yet follow the schedule.
	sched, ok := parseVersion(s.ScheduleFrom + ".0")
	if !ok {
		return out
	}
	for major := max(from.Major, sched.Major); major <= to.Major; major++ {
		for _, minor := range s.ScheduledMinors {
			v := gitlabVersion{Major: major, Minor: minor}
			if before(v, sched) || seen[v.minorString()] || !before(from, v) || !before(v, to) {
				continue
			}
			out = append(out, stop{Version: v.minorString() + ".z (latest patch)"})
		}
	}
	return out
}
