package reach

import (
	"net/netip"
	"slices"
)

// A span is a range of IPv4 addresses [lo, hi] and what a route table
// decides for all of them: the index of the most specific prefix containing
// them, or -1 for none. A spanMap covers the whole address space with
// disjoint spans in address order, so a longest-prefix match is a binary
// search and "what happens to these addresses" is a slice of it. Building
// one is a single pass over the sorted prefixes: prefixes nest or are
// disjoint, so a stack of the enclosing ones is all the state needed.
type span struct {
	lo, hi uint32
	at     int
}

type spanMap []span

// newSpanMap builds the map of prefixes, which must be sorted by
// ComparePrefix and distinct; span.at indexes them.
func newSpanMap(prefixes []netip.Prefix) spanMap {
	out := make(spanMap, 0, 2*len(prefixes)+1)
	var cur uint64
	var stack []int
	emit := func(end uint64, at int) {
		if cur <= end {
			out = append(out, span{lo: uint32(cur), hi: uint32(end), at: at})
			cur = end + 1
		}
	}
	top := func() int {
		if len(stack) == 0 {
			return -1
		}
		return stack[len(stack)-1]
	}
	for i, p := range prefixes {
		lo, _ := bounds(p)
		for len(stack) > 0 {
			if _, hi := bounds(prefixes[top()]); uint64(hi) < uint64(lo) {
				emit(uint64(hi), top())
				stack = stack[:len(stack)-1]
				continue
			}
			break
		}
		if uint64(lo) > cur {
			emit(uint64(lo)-1, top())
		}
		stack = append(stack, i)
	}
	for len(stack) > 0 {
		_, hi := bounds(prefixes[top()])
		emit(uint64(hi), top())
		stack = stack[:len(stack)-1]
	}
	emit(1<<32-1, -1)
	return out
}

// lookup returns the index of the most specific prefix holding x, or -1.
func (m spanMap) lookup(x uint32) int {
	i, _ := slices.BinarySearchFunc(m, x, func(s span, x uint32) int {
		switch {
		case s.hi < x:
			return -1
		case s.lo > x:
			return 1
		}
		return 0
	})
	if i < len(m) {
		return m[i].at
	}
	return -1
}

// slice returns the spans covering [lo, hi], clipped to it.
func (m spanMap) slice(lo, hi uint32) []span {
	i, _ := slices.BinarySearchFunc(m, lo, func(s span, x uint32) int {
		if s.hi < x {
			return -1
		}
		return 1
	})
	var out []span
	for ; i < len(m) && m[i].lo <= hi; i++ {
		s := m[i]
		s.lo, s.hi = max(s.lo, lo), min(s.hi, hi)
		out = append(out, s)
	}
	return out
}

// Bounds returns the first and last address of an IPv4 prefix, as numbers.
func Bounds(p netip.Prefix) (lo, hi uint32) { return bounds(p) }

// bounds returns the first and last address of an IPv4 prefix.
func bounds(p netip.Prefix) (lo, hi uint32) {
	b := p.Masked().Addr().As4()
	lo = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	hi = lo | uint32(uint64(1)<<(32-p.Bits())-1)
	return lo, hi
}

// addr turns a number back into an address.
func addr(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}

// rangeString renders [lo, hi] as a prefix when it is one.
func rangeString(lo, hi uint32) string {
	for bits := 0; bits <= 32; bits++ {
		p := netip.PrefixFrom(addr(lo), bits)
		if l, h := bounds(p); l == lo && h == hi {
			return p.String()
		}
	}
	return addr(lo).String() + "–" + addr(hi).String()
}
