package xsd

import "testing"

func TestIntegerRange(t *testing.T) {
	for _, c := range []struct {
		b        Builtin
		min, max string
		ok       bool
	}{
		{Integer, "", "", true},
		{Long, "-9223372036854775808", "9223372036854775807", true},
		{UnsignedByte, "0", "255", true},
		{PositiveInteger, "1", "", true},
		{NegativeInteger, "", "-1", true},
		{Decimal, "", "", false},
		{String, "", "", false},
	} {
		min, max, ok := c.b.IntegerRange()
		if min != c.min || max != c.max || ok != c.ok {
			t.Errorf("%v: got %q %q %v, want %q %q %v", c.b, min, max, ok, c.min, c.max, c.ok)
		}
	}
}

func TestEmptiable(t *testing.T) {
	el := func(min int) Particle { return Particle{Kind: PElement, Min: min, Max: 1} }
	for _, c := range []struct {
		name string
		p    Particle
		want bool
	}{
		{"optional element", el(0), true},
		{"required element", el(1), false},
		{"sequence of optional elements", Particle{Kind: PSequence, Min: 1, Max: 1, Children: []Particle{el(0), el(0)}}, true},
		{"sequence with a required element", Particle{Kind: PSequence, Min: 1, Max: 1, Children: []Particle{el(0), el(1)}}, false},
		{"choice with an optional branch", Particle{Kind: PChoice, Min: 1, Max: 1, Children: []Particle{el(1), el(0)}}, true},
		{"choice of required branches", Particle{Kind: PChoice, Min: 1, Max: 1, Children: []Particle{el(1), el(1)}}, false},
		{"optional choice", Particle{Kind: PChoice, Min: 0, Max: 1, Children: []Particle{el(1)}}, true},
	} {
		if got := c.p.Emptiable(); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
