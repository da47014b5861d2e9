package rdstats

// skip reads and validates one value of any kind.
func (d *decoder) skip() error {
	switch d.ws() {
	case '{':
		return d.object(func([]byte) error { return d.skip() })
	case '[':
		return d.array()
	case '"':
		_, _, _, err := d.rawString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		return d.number()
	}
}

// array reads an array (the next byte must be '['), skipping its elements.
func (d *decoder) array() error {
	d.depth++
	if d.depth > maxDepth {
		return errSyntax
	}
	d.pos++ // '['
	if d.ws() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := d.skip(); err != nil {
			return err
		}
		switch d.ws() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return errSyntax
		}
	}
}

func (d *decoder) literal(lit string) error {
	if len(d.data)-d.pos < len(lit) || string(d.data[d.pos:d.pos+len(lit)]) != lit {
		return errSyntax
	}
	d.pos += len(lit)
	return nil
}

// number reads a number of any form.
func (d *decoder) number() error {
	data, i := d.data, d.pos
	digits := func() bool {
		from := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > from
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return errSyntax
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return errSyntax
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return errSyntax
		}
	}
	d.pos = i
	return nil
}
