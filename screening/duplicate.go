package screening

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening/names"
)

// CodeDuplicateInquiry is raised when the same product is asked for by
// several requesters at about the same time, or again and again by one (METI
// 同一製品について同時期に複数の引き合い).
const CodeDuplicateInquiry = "duplicate_inquiry"

// DuplicateSettings tune the duplicate_inquiry check (rules/duplicate_inquiry.yaml).
type DuplicateSettings struct {
	Disabled bool `yaml:"disabled"`
	// Window is how far apart (by received_at, either way) two inquiries may be
	// and still count as "at about the same time".
	Window time.Duration `yaml:"window"`
	// MinRequesters is how many different requesters, this one included, make
	// the flag (2: one other company is enough).
	MinRequesters int `yaml:"min_requesters"`
	// RepeatCount is how many inquiries for one product by one requester, this
	// one included, make the flag.
	RepeatCount int `yaml:"repeat_count"`
	// RequestersPoints are the points for MinRequesters different requesters;
	// each further requester adds ExtraRequesterPoints, up to MaxPoints.
	RequestersPoints     int `yaml:"requesters_points"`
	ExtraRequesterPoints int `yaml:"extra_requester_points"`
	MaxPoints            int `yaml:"max_points"`
	// RepeatPoints are the points when one requester asks RepeatCount times.
	RepeatPoints int `yaml:"repeat_points"`
	// AffiliatesAreSameRequester: a group company the customer declares in
	// affiliates is not a "different requester".
	AffiliatesAreSameRequester bool `yaml:"affiliates_are_same_requester"`
	// DescriptionMinWords: a description is compared only when it has at least
	// this many words after stop words are dropped ("pump" alone says too little).
	DescriptionMinWords int `yaml:"description_min_words"`
	// DescriptionStopWords are left out when descriptions are compared.
	DescriptionStopWords []string `yaml:"description_stop_words"`
	// MaxEvidence bounds how many other inquiries the evidence lists.
	MaxEvidence int `yaml:"max_evidence"`
}

// Validate checks the duplicate_inquiry settings.
func (s *DuplicateSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	if s.Window <= 0 || s.Window > 366*24*time.Hour {
		return fmt.Errorf("window: %s is not within (0, 8784h]", s.Window)
	}
	if s.MinRequesters < 2 || s.MinRequesters > 100 {
		return fmt.Errorf("min_requesters: %d is not within 2..100", s.MinRequesters)
	}
	if s.RepeatCount < 2 || s.RepeatCount > 100 {
		return fmt.Errorf("repeat_count: %d is not within 2..100", s.RepeatCount)
	}
	for name, p := range map[string]int{"requesters_points": s.RequestersPoints, "extra_requester_points": s.ExtraRequesterPoints,
		"max_points": s.MaxPoints, "repeat_points": s.RepeatPoints} {
		if err := validPoints(name, p); err != nil {
			return err
		}
	}
	if s.MaxPoints < s.RequestersPoints || s.MaxPoints < s.RepeatPoints {
		return errors.New("max_points is below requesters_points or repeat_points")
	}
	if s.DescriptionMinWords < 1 || s.DescriptionMinWords > 50 {
		return fmt.Errorf("description_min_words: %d is not within 1..50", s.DescriptionMinWords)
	}
	if s.MaxEvidence < 1 || s.MaxEvidence > 200 {
		return fmt.Errorf("max_evidence: %d is not within 1..200", s.MaxEvidence)
	}
	for i, w := range s.DescriptionStopWords {
		if strings.TrimSpace(w) == "" {
			return fmt.Errorf("description_stop_words[%d]: empty", i)
		}
	}
	return nil
}

// DuplicateCheck raises duplicate_inquiry. It records every product of an
// inquiry under two keys, the folded product code and the folded description,
// and compares with what other screenings recorded under the same keys.
type DuplicateCheck struct {
	s    DuplicateSettings
	stop map[string]bool
}

// NewDuplicateCheck builds the check from validated settings.
func NewDuplicateCheck(s DuplicateSettings) *DuplicateCheck {
	stop := map[string]bool{}
	for _, w := range s.DescriptionStopWords {
		for _, t := range tokens(w) {
			stop[t] = true
		}
	}
	return &DuplicateCheck{s: s, stop: stop}
}

// Code implements Check.
func (c *DuplicateCheck) Code() string { return CodeDuplicateInquiry }

// productKey is one product of the inquiry as the check indexes it.
type productKey struct {
	key       string // "code:mc5x200" or "desc:axis centre machining"
	matchedOn string // product_code or description
	written   string // the code or description as the inquiry wrote it
}

func (c *DuplicateCheck) productKeys(inq *Inquiry) []productKey {
	var out []productKey
	seen := map[string]bool{}
	add := func(k productKey) {
		if !seen[k.key] {
			seen[k.key] = true
			out = append(out, k)
		}
	}
	for _, it := range inq.Items {
		if k := productCodeKey(it.Product); k != "" {
			add(productKey{"code:" + k, "product_code", it.Product})
		}
		if k := descriptionKey(it.Description, c.stop, c.s.DescriptionMinWords); k != "" {
			add(productKey{"desc:" + k, "description", it.Description})
		}
	}
	return out
}

// History implements Indexer: one product entry per code and description.
func (c *DuplicateCheck) History(in *Input) []HistoryEntry {
	var out []HistoryEntry
	for _, k := range c.productKeys(in.Inquiry) {
		out = append(out, HistoryEntry{
			Kind: HistoryProduct, Key: k.key, Party: RoleCustomer,
			Name: in.Inquiry.Customer.Name, NameKey: customerKey(in), Country: in.Inquiry.Customer.Country,
			Value: k.written, Window: c.s.Window,
		})
	}
	return out
}

// otherInquiry is one earlier or later inquiry for the same product.
type otherInquiry struct {
	ScreeningID string    `json:"screening_id"`
	Reference   string    `json:"reference,omitempty"`
	Customer    string    `json:"customer"`
	Country     string    `json:"country,omitempty"`
	ReceivedAt  time.Time `json:"received_at"`
	Product     string    `json:"product"`
	MatchedOn   string    `json:"matched_on"`
	// SameRequester: the same customer (or a declared affiliate) asked.
	SameRequester bool `json:"same_requester"`

	nameKey string
}

// Run implements Check.
func (c *DuplicateCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	inq := in.Inquiry
	group := map[string]bool{customerKey(in): true}
	if c.s.AffiliatesAreSameRequester {
		group = groupKeys(in)
	}
	// One inquiry screened twice (by sales, then again by the ERP at order
	// intake) keeps its reference: it is not a second inquiry.
	sameInquiry := func(e HistoryEntry) bool {
		return inq.Reference != "" && e.Reference == inq.Reference && e.NameKey == customerKey(in)
	}
	// One inquiry is one screening, or one (reference, customer) when it
	// was screened more than once. A hot product brings up to history_limit
	// entries on every screening, so this loop allocates little.
	type inquiryID struct{ screening, reference, nameKey string }
	keys := c.productKeys(inq)
	seen := 0
	for _, pk := range keys {
		seen += len(in.Seen(HistoryProduct, pk.key))
	}
	// Each other inquiry points at its history entry; the evidence is built
	// for the few that are shown only.
	type other struct {
		e         *HistoryEntry
		matchedOn string
		nameKey   string
		same      bool // the same requester (or a declared affiliate)
	}
	counted := make(map[inquiryID]struct{}, seen)
	others := make([]other, 0, seen)
	var products []string
	for _, pk := range keys {
		found := false
		history := in.Seen(HistoryProduct, pk.key)
		for j := range history {
			e := &history[j]
			if !within(e.At, in.ReceivedAt, c.s.Window) || sameInquiry(*e) {
				continue
			}
			found = true
			id := inquiryID{screening: e.ScreeningID}
			if e.Reference != "" {
				id = inquiryID{reference: e.Reference, nameKey: e.NameKey}
			}
			if _, ok := counted[id]; ok {
				continue
			}
			counted[id] = struct{}{}
			nk := e.NameKey
			if nk == "" {
				nk = names.Key(e.Name)
			}
			others = append(others, other{e: e, matchedOn: pk.matchedOn, nameKey: nk, same: group[nk]})
		}
		if found {
			products = append(products, pk.written)
		}
	}
	if len(others) == 0 {
		return nil, nil
	}
	// Oldest first, stable: equal times keep the order they were found in.
	slices.SortStableFunc(others, func(a, b other) int { return a.e.At.Compare(b.e.At) })

	requesters := map[string]bool{}
	var otherNames []string
	repeats := 1
	for _, o := range others {
		if o.same {
			repeats++
			continue
		}
		if !requesters[o.nameKey] {
			requesters[o.nameKey] = true
			otherNames = append(otherNames, o.e.Name)
		}
	}
	nRequesters := len(requesters) + 1
	byRequesters := nRequesters >= c.s.MinRequesters
	byRepeats := repeats >= c.s.RepeatCount
	if !byRequesters && !byRepeats {
		return nil, nil
	}

	points := 0
	var reasons []string
	if byRequesters {
		points = c.s.RequestersPoints + c.s.ExtraRequesterPoints*(nRequesters-c.s.MinRequesters)
		reasons = append(reasons, "different_requesters")
	}
	if byRepeats {
		points = max(points, c.s.RepeatPoints)
		reasons = append(reasons, "repeated")
	}
	points = min(points, c.s.MaxPoints)

	shown := make([]otherInquiry, 0, min(len(others), c.s.MaxEvidence))
	for _, o := range others[:cap(shown)] {
		e := o.e
		shown = append(shown, otherInquiry{
			ScreeningID: e.ScreeningID, Reference: e.Reference, Customer: e.Name, Country: e.Country,
			ReceivedAt: e.At.UTC(), Product: e.Value, MatchedOn: o.matchedOn, SameRequester: o.same, nameKey: o.nameKey,
		})
	}
	evidence := map[string]any{
		"reasons":                   reasons,
		"window_days":               windowDays(c.s.Window),
		"products":                  products,
		"requesters":                nRequesters,
		"inquiries_by_this_company": repeats,
		"other_inquiries":           shown,
		"other_inquiries_total":     len(others),
	}
	en, ja := c.message(byRequesters, products, otherNames, nRequesters, repeats)
	return []Flag{{
		Code: CodeDuplicateInquiry, Severity: severityFor(points), Points: points, Party: RoleCustomer,
		Message: en, MessageJA: ja, Evidence: evidence,
	}}, nil
}

func (c *DuplicateCheck) message(byRequesters bool, products, otherNames []string, nRequesters, repeats int) (en, ja string) {
	winEN, winJA := humanWindow(c.s.Window)
	prod := joinNames(products, 2, "en")
	prodJA := joinNames(products, 2, "ja")
	if byRequesters {
		others := nRequesters - 1
		companies := "another company"
		companiesJA := "別の会社"
		if others > 1 {
			companies = fmt.Sprintf("%d other companies", others)
			companiesJA = fmt.Sprintf("別の%d社", others)
		}
		en = fmt.Sprintf("%s also asked for the same product (%s) within %s: %s. Several companies asking for one product at the same time can mean that someone is shopping around for it through others. Find out who the real buyer and end user are before quoting.",
			capitalise(companies), prod, winEN, joinNames(otherNames, 3, "en"))
		ja = fmt.Sprintf("同じ製品（%s）について、%s以内に%s（%s）からも問い合わせがあります。複数の会社が同時期に同じ製品を求めるのは、別の会社を通して調達しようとしている可能性があります。見積もりの前に、本当の買い手と最終需要者を確認してください。",
			prodJA, winJA, companiesJA, joinNames(otherNames, 3, "ja"))
		if repeats >= c.s.RepeatCount {
			en += fmt.Sprintf(" This customer has also asked %d times itself.", repeats)
			ja += fmt.Sprintf("この顧客自身も%d回問い合わせています。", repeats)
		}
		return en, ja
	}
	en = fmt.Sprintf("This customer has asked for the same product (%s) %d times within %s. Ask why before quoting again: repeated inquiries can hide a larger need than the one declared.",
		prod, repeats, winEN)
	ja = fmt.Sprintf("この顧客は%s以内に同じ製品（%s）について%d回問い合わせています。申告以上の需要が隠れている可能性があるため、再度見積もる前に理由を確認してください。",
		winJA, prodJA, repeats)
	return en, ja
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
