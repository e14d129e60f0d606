package screening

// CheckDeps are the adapters the checks need from outside the domain package.
// Every field may be nil; a check then falls back to what the standard library
// can do and says so in its evidence.
type CheckDeps struct {
	// NormalizePhone turns a phone or fax number into E.164 ("+861012345678"),
	// reading a national number in the party's country (ISO alpha-2). ok is
	// false when raw is not a phone number. See package screening/phone.
	NormalizePhone func(raw, country string) (e164 string, ok bool)
}

// DefaultChecks builds the red-flag checks from their settings, in a fixed
// order. A section with disabled: true is left out.
func DefaultChecks(s *Settings, deps CheckDeps) []Check {
	var cs []Check
	if !s.DuplicateInquiry.Disabled {
		cs = append(cs, NewDuplicateCheck(s.DuplicateInquiry))
	}
	if !s.SpecUseMismatch.Disabled {
		cs = append(cs, NewSpecUseCheck(s.SpecUseMismatch, s.Products))
	}
	if !s.SharedContact.Disabled {
		cs = append(cs, NewSharedContactCheck(s.SharedContact, s.FreeMailDomains, deps.NormalizePhone))
	}
	if !s.EndUserChange.Disabled {
		cs = append(cs, NewEndUserChangeCheck(s.EndUserChange))
	}
	if !s.PayerMismatch.Disabled {
		cs = append(cs, NewPayerCheck(s.PayerMismatch))
	}
	return cs
}

// groupKeys returns the folded names of the customer and the affiliates it
// declares: the companies of the inquiry that are "one group", not different
// companies.
func groupKeys(in *Input) map[string]bool {
	g := map[string]bool{}
	ck := in.CustomerKey
	if ck == "" {
		ck = in.NameKey(in.Inquiry.Customer.Name)
	}
	if ck != "" {
		g[ck] = true
	}
	for _, a := range in.Inquiry.Affiliates {
		if k := in.NameKey(a); k != "" {
			g[k] = true
		}
	}
	return g
}

// customerKey is in.CustomerKey, computed when a test left it empty.
func customerKey(in *Input) string {
	if in.CustomerKey != "" {
		return in.CustomerKey
	}
	return in.NameKey(in.Inquiry.Customer.Name)
}
