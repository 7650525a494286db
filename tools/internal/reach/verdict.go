package reach

// The verdicts below decide what RoundTrip and Arrive decide, without
// building the path's text: validate asks them for every pair an intent
// names and builds a path only for the pairs that fail. The property test
// holds both to the same answers.

// RoundTripOK reports whether RoundTrip(from, to, port) makes it.
func (m *Model) RoundTripOK(from, to Endpoint, port int) bool {
	if len(from.Subnets) == 0 || len(to.Subnets) == 0 {
		return false
	}
	for _, s := range from.Subnets {
		for _, d := range to.Subnets {
			dlo, dhi := bounds(d.CIDR)
			if !m.allArrive(s, dlo, dhi, d.VPC) {
				return false
			}
			if to.Guard != nil && !admits(s, to.Guard, port) {
				return false
			}
			slo, shi := bounds(s.CIDR)
			if !m.allArrive(d, slo, shi, s.VPC) {
				return false
			}
		}
	}
	return true
}

// Arrives reports whether Arrive(from, to, port) finds a path.
func (m *Model) Arrives(from, to Endpoint, port int) bool {
	for _, s := range from.Subnets {
		if to.Guard != nil {
			if !admits(s, to.Guard, port) {
				continue
			}
			for _, d := range to.Subnets {
				lo, hi := bounds(d.CIDR)
				if m.someArrive(s, lo, hi, d.VPC) {
					return true
				}
			}
			continue
		}
		if to.VPC.CIDR.IsValid() {
			lo, hi := bounds(to.VPC.CIDR)
			if m.someArrive(s, lo, hi, to.VPC) {
				return true
			}
		}
	}
	return false
}

// arrivals calls fn with each range of [lo, hi] from subnet s and whether
// packets to it arrive in VPC want; fn returns false to stop.
func (m *Model) arrivals(s *Subnet, lo, hi uint32, want *VPC, fn func(ok bool) bool) {
	for _, r := range m.routes(s, lo, hi, false) {
		switch r.Kind {
		case Local:
			if !fn(want == s.VPC) {
				return
			}
		case None, Internet:
			if !fn(false) {
				return
			}
		case Gateway:
			if _, ok := r.Att.Zones[s.Zone]; !ok {
				if !fn(false) {
					return
				}
				continue
			}
			for _, tr := range r.Att.Table.Forward(r.Lo, r.Hi) {
				e := tr.Entry
				ok := e != nil && !e.Blackhole && e.Att != nil && e.Att.VPC == want
				if !fn(ok) {
					return
				}
			}
		}
	}
}

func (m *Model) allArrive(s *Subnet, lo, hi uint32, want *VPC) bool {
	all := true
	m.arrivals(s, lo, hi, want, func(ok bool) bool { all = all && ok; return all })
	return all
}

func (m *Model) someArrive(s *Subnet, lo, hi uint32, want *VPC) bool {
	some := false
	m.arrivals(s, lo, hi, want, func(ok bool) bool { some = some || ok; return !some })
	return some
}

// admits reports whether security group g admits all of subnet s on port.
func admits(s *Subnet, to *Guard, port int) bool {
	if port != 0 {
		listens := false
		for _, p := range to.Ports {
			listens = listens || p == port
		}
		if !listens {
			return false
		}
	}
	lo, hi := bounds(s.CIDR)
	for _, c := range to.Ingress {
		if cl, ch := bounds(c); cl <= lo && hi <= ch {
			return true
		}
	}
	return false
}
