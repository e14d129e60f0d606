package screening

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// CodeSpecUseMismatch is raised when the declared use does not fit what the
// product can do, when no real use is declared for a product with controlled
// capabilities, or when the quantity is out of scale for the declared use
// (METI 用途と製品スペックの不釣り合い; BIS red flags 2, 6, 13).
const CodeSpecUseMismatch = "spec_use_mismatch"

// Product is one entry of the product catalogue (rules/products.yaml): what
// the exporter knows about its own products, so that an inquiry naming only a
// product code can still be compared with the rules.
type Product struct {
	Code         string         `yaml:"code"`
	Name         string         `yaml:"name"`
	NameJA       string         `yaml:"name_ja"`
	HSCode       string         `yaml:"hs_code"`
	ControlEntry string         `yaml:"control_entry"`
	Specs        map[string]any `yaml:"specs"`
}

// SpecUseSettings tune the spec_use_mismatch check (rules/spec_use_mismatch.yaml).
type SpecUseSettings struct {
	Disabled      bool             `yaml:"disabled"`
	VagueUse      VagueUseSettings `yaml:"vague_use"`
	Rules         []SpecUseRule    `yaml:"rules"`
	QuantityRules []QuantityRule   `yaml:"quantity_rules"`
}

// VagueUseSettings: for a product that a rule selects, an empty declared use,
// or one made only of vague phrases ("general use", 「一般用途」), is a flag.
type VagueUseSettings struct {
	Points int `yaml:"points"`
	// Phrases are vague uses.
	Phrases []string `yaml:"phrases"`
	// Fillers are words that carry no use on their own ("for", "use", 「用」);
	// a declared use made only of phrases and fillers is vague.
	Fillers []string `yaml:"fillers"`
}

// ProductSelector says which items a rule is about. An item is selected when
// its control entry starts with one of ControlEntries, or its product code is
// one of Products, or its specs meet Specs (all) and SpecsAny (at least one)
// while its HS code (when it has one) starts with one of HSPrefixes. A rule
// with no spec conditions selects by HS code alone.
type ProductSelector struct {
	Products       []string                 `yaml:"products"`
	ControlEntries []string                 `yaml:"control_entries"`
	HSPrefixes     []string                 `yaml:"hs_prefixes"`
	Specs          map[string]SpecCondition `yaml:"specs"`
	SpecsAny       map[string]SpecCondition `yaml:"specs_any"`
}

// SpecCondition is a test on one spec value: numeric bounds, or an exact
// value (bool or text), or one of several texts.
type SpecCondition struct {
	GT     *float64 `yaml:"gt"`
	GTE    *float64 `yaml:"gte"`
	LT     *float64 `yaml:"lt"`
	LTE    *float64 `yaml:"lte"`
	Equals any      `yaml:"equals"`
	In     []string `yaml:"in"`
}

// QuantityCondition bounds the quantity of an item, in Unit.
type QuantityCondition struct {
	GTE  float64 `yaml:"gte"`
	Unit string  `yaml:"unit"`
}

// SpecUseRule names uses that do not fit products the selector picks.
type SpecUseRule struct {
	ID      string          `yaml:"id"`
	Title   string          `yaml:"title"`    // what the product is, for the message
	TitleJA string          `yaml:"title_ja"` // the same in Japanese
	Select  ProductSelector `yaml:"select"`
	// Quantity, when set, limits the rule to items of at least this quantity.
	Quantity *QuantityCondition `yaml:"quantity"`
	// ImplausibleUses are keywords (Japanese or English) of declared uses that
	// do not fit the product.
	ImplausibleUses []string `yaml:"implausible_uses"`
	Points          int      `yaml:"points"`
	Citations       []string `yaml:"citations"`
}

// QuantityRule flags an item ordered in a quantity over MaxQuantity for a
// declared small use (samples, evaluation, research).
type QuantityRule struct {
	ID          string          `yaml:"id"`
	Title       string          `yaml:"title"`
	TitleJA     string          `yaml:"title_ja"`
	Select      ProductSelector `yaml:"select"`
	SmallUses   []string        `yaml:"small_uses"`
	MaxQuantity float64         `yaml:"max_quantity"`
	Unit        string          `yaml:"unit"`
	Points      int             `yaml:"points"`
	Citations   []string        `yaml:"citations"`
}

// units converts a quantity unit to a base unit of its dimension.
var units = map[string]struct {
	dim    string
	factor float64
}{
	"": {"count", 1}, "pcs": {"count", 1}, "pc": {"count", 1}, "piece": {"count", 1}, "pieces": {"count", 1},
	"unit": {"count", 1}, "units": {"count", 1}, "set": {"count", 1}, "sets": {"count", 1}, "台": {"count", 1}, "個": {"count", 1}, "式": {"count", 1},
	"g": {"mass", 0.001}, "kg": {"mass", 1}, "t": {"mass", 1000}, "ton": {"mass", 1000}, "tons": {"mass", 1000}, "tonne": {"mass", 1000}, "tonnes": {"mass", 1000}, "トン": {"mass", 1000},
	"m": {"length", 1}, "km": {"length", 1000},
	"l": {"volume", 1}, "m3": {"volume", 1000},
}

// convertQuantity converts q from unit `from` to unit `to`; ok is false when
// the units measure different things or one is unknown.
func convertQuantity(q float64, from, to string) (float64, bool) {
	f, okf := units[compact(from)]
	t, okt := units[compact(to)]
	if !okf || !okt || f.dim != t.dim {
		return 0, false
	}
	return q * f.factor / t.factor, true
}

// Validate checks the product catalogue.
func validateProducts(ps []Product) error {
	seen := map[string]int{}
	for i, p := range ps {
		k := productCodeKey(p.Code)
		if k == "" {
			return fmt.Errorf("[%d].code: required", i)
		}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("[%d].code: %q is the same code as [%d]", i, p.Code, j)
		}
		seen[k] = i
		if strings.TrimSpace(p.Name) == "" {
			return fmt.Errorf("[%d] (%s).name: required", i, p.Code)
		}
		for key, v := range p.Specs {
			switch v.(type) {
			case int, int64, uint64, float64, float32, bool, string:
			default:
				return fmt.Errorf("[%d] (%s).specs.%s: must be a number, a string or a boolean", i, p.Code, key)
			}
		}
		if u, ok := p.Specs["quantity_unit"]; ok {
			s, _ := u.(string)
			if _, known := units[compact(s)]; !known {
				return fmt.Errorf("[%d] (%s).specs.quantity_unit: unknown unit %q", i, p.Code, s)
			}
		}
	}
	return nil
}

// Validate checks the spec_use_mismatch settings.
func (s *SpecUseSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	if err := validPoints("vague_use.points", s.VagueUse.Points); err != nil {
		return err
	}
	if s.VagueUse.Points > 0 && len(s.VagueUse.Phrases) == 0 {
		return errors.New("vague_use.phrases: at least one phrase is needed")
	}
	if err := validKeywords("vague_use.phrases", s.VagueUse.Phrases); err != nil {
		return err
	}
	if err := validKeywords("vague_use.fillers", s.VagueUse.Fillers); err != nil {
		return err
	}
	ids := map[string]bool{}
	for i, r := range s.Rules {
		name := fmt.Sprintf("rules[%d]", i)
		if r.ID != "" {
			name += " (" + r.ID + ")"
		}
		if err := validRuleHead(r.ID, r.Title, r.TitleJA, r.Points, r.Citations, ids); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := r.Select.validate(); err != nil {
			return fmt.Errorf("%s.select: %w", name, err)
		}
		if len(r.ImplausibleUses) == 0 {
			return fmt.Errorf("%s.implausible_uses: at least one keyword is needed", name)
		}
		if err := validKeywords(name+".implausible_uses", r.ImplausibleUses); err != nil {
			return err
		}
		if r.Quantity != nil {
			if r.Quantity.GTE <= 0 {
				return fmt.Errorf("%s.quantity.gte: must be positive", name)
			}
			if _, ok := units[compact(r.Quantity.Unit)]; !ok {
				return fmt.Errorf("%s.quantity.unit: unknown unit %q", name, r.Quantity.Unit)
			}
		}
	}
	for i, r := range s.QuantityRules {
		name := fmt.Sprintf("quantity_rules[%d]", i)
		if r.ID != "" {
			name += " (" + r.ID + ")"
		}
		if err := validRuleHead(r.ID, r.Title, r.TitleJA, r.Points, r.Citations, ids); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := r.Select.validate(); err != nil {
			return fmt.Errorf("%s.select: %w", name, err)
		}
		if len(r.SmallUses) == 0 {
			return fmt.Errorf("%s.small_uses: at least one keyword is needed", name)
		}
		if err := validKeywords(name+".small_uses", r.SmallUses); err != nil {
			return err
		}
		if r.MaxQuantity <= 0 {
			return fmt.Errorf("%s.max_quantity: must be positive", name)
		}
		if _, ok := units[compact(r.Unit)]; !ok {
			return fmt.Errorf("%s.unit: unknown unit %q", name, r.Unit)
		}
	}
	return nil
}

func validRuleHead(id, title, titleJA string, points int, citations []string, ids map[string]bool) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New("id: required")
	case ids[id]:
		return fmt.Errorf("id: %q is used twice", id)
	case strings.TrimSpace(title) == "":
		return errors.New("title: required")
	case strings.TrimSpace(titleJA) == "":
		return errors.New("title_ja: required")
	case len(citations) == 0:
		return errors.New("citations: every rule cites the control entry or guidance it rests on")
	}
	ids[id] = true
	if points < 1 || points > 100 {
		return fmt.Errorf("points: %d is not within 1..100", points)
	}
	return nil
}

func validKeywords(name string, list []string) error {
	for i, w := range list {
		if compact(w) == "" {
			return fmt.Errorf("%s[%d]: %q has no letters or digits", name, i, w)
		}
	}
	return nil
}

func (p *ProductSelector) validate() error {
	if len(p.Products) == 0 && len(p.ControlEntries) == 0 && len(p.HSPrefixes) == 0 && len(p.Specs) == 0 && len(p.SpecsAny) == 0 {
		return errors.New("selects nothing: give products, control_entries, hs_prefixes or specs")
	}
	for i, c := range p.ControlEntries {
		if controlEntryKey(c) == "" {
			return fmt.Errorf("control_entries[%d]: empty", i)
		}
	}
	for i, h := range p.HSPrefixes {
		if hsKey(h) == "" || len(hsKey(h)) < 2 {
			return fmt.Errorf("hs_prefixes[%d]: %q is not an HS code prefix of at least 2 digits", i, h)
		}
	}
	for i, pr := range p.Products {
		if productCodeKey(pr) == "" {
			return fmt.Errorf("products[%d]: empty", i)
		}
	}
	for _, set := range []struct {
		name  string
		conds map[string]SpecCondition
	}{{"specs", p.Specs}, {"specs_any", p.SpecsAny}} {
		for key, c := range set.conds {
			if err := c.validate(); err != nil {
				return fmt.Errorf("%s.%s: %w", set.name, key, err)
			}
		}
	}
	return nil
}

func (c *SpecCondition) validate() error {
	numeric := c.GT != nil || c.GTE != nil || c.LT != nil || c.LTE != nil
	n := 0
	if numeric {
		n++
	}
	if c.Equals != nil {
		n++
		switch c.Equals.(type) {
		case bool, string, int, float64:
		default:
			return errors.New("equals: must be a boolean, a number or a text")
		}
	}
	if len(c.In) > 0 {
		n++
	}
	if n != 1 {
		return errors.New("give either bounds (gt, gte, lt, lte), or equals, or in")
	}
	if c.GT != nil && c.GTE != nil || c.LT != nil && c.LTE != nil {
		return errors.New("give gt or gte, lt or lte, not both")
	}
	return nil
}

// describe writes the condition as a reviewer reads it: ">= 5", "< 0.2".
func (c *SpecCondition) describe() string {
	var parts []string
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	if c.GT != nil {
		parts = append(parts, "> "+num(*c.GT))
	}
	if c.GTE != nil {
		parts = append(parts, ">= "+num(*c.GTE))
	}
	if c.LT != nil {
		parts = append(parts, "< "+num(*c.LT))
	}
	if c.LTE != nil {
		parts = append(parts, "<= "+num(*c.LTE))
	}
	if c.Equals != nil {
		parts = append(parts, fmt.Sprintf("= %v", c.Equals))
	}
	if len(c.In) > 0 {
		parts = append(parts, "one of "+strings.Join(c.In, ", "))
	}
	return strings.Join(parts, " and ")
}

// holds reports whether value meets the condition; known is false when the
// value is missing or of the wrong type, so the rule cannot tell.
func (c *SpecCondition) holds(value any) (ok, known bool) {
	if value == nil {
		return false, false
	}
	if c.GT != nil || c.GTE != nil || c.LT != nil || c.LTE != nil {
		f, isNum := specNumber(value)
		if !isNum {
			return false, false
		}
		ok = (c.GT == nil || f > *c.GT) && (c.GTE == nil || f >= *c.GTE) &&
			(c.LT == nil || f < *c.LT) && (c.LTE == nil || f <= *c.LTE)
		return ok, true
	}
	if c.Equals != nil {
		switch want := c.Equals.(type) {
		case bool:
			b, isBool := specBool(value)
			return isBool && b == want, isBool
		case int:
			f, isNum := specNumber(value)
			return isNum && f == float64(want), isNum
		case float64:
			f, isNum := specNumber(value)
			return isNum && f == want, isNum
		case string:
			s, isText := specString(value)
			return isText && s == foldText(strings.TrimSpace(want)), isText
		}
		return false, false
	}
	s, isText := specString(value)
	if !isText {
		return false, false
	}
	for _, w := range c.In {
		if s == foldText(strings.TrimSpace(w)) {
			return true, true
		}
	}
	return false, true
}

// compiledSelector is a ProductSelector with its keys folded once.
type compiledSelector struct {
	products       map[string]bool
	controlEntries []string
	hsPrefixes     []string
	specs          map[string]SpecCondition
	specsAny       map[string]SpecCondition
}

func compileSelector(p ProductSelector) compiledSelector {
	c := compiledSelector{products: map[string]bool{}, specs: p.Specs, specsAny: p.SpecsAny}
	for _, pr := range p.Products {
		c.products[productCodeKey(pr)] = true
	}
	for _, ce := range p.ControlEntries {
		c.controlEntries = append(c.controlEntries, controlEntryKey(ce))
	}
	for _, h := range p.HSPrefixes {
		c.hsPrefixes = append(c.hsPrefixes, hsKey(h))
	}
	return c
}

// resolvedItem is an inquiry item with what the catalogue knows about it.
type resolvedItem struct {
	index        int
	item         *Item
	product      *Product // nil when the code is not in the catalogue
	label        string   // product code, or description when there is none
	hsCode       string
	controlEntry string
	specs        map[string]any
	quantityUnit string
}

// specMatch tells which specs made a selector pick an item, for evidence.
type specMatch struct {
	Value     any    `json:"value"`
	Condition string `json:"condition"`
}

// selects reports whether the selector picks the item, and why.
func (c *compiledSelector) selects(it *resolvedItem) (bool, string, map[string]specMatch) {
	if c.products[productCodeKey(it.item.Product)] && it.item.Product != "" {
		return true, "product", nil
	}
	ce := controlEntryKey(it.controlEntry)
	for _, p := range c.controlEntries {
		if ce != "" && strings.HasPrefix(ce, p) {
			return true, "control_entry", nil
		}
	}
	hs := hsKey(it.hsCode)
	hsMatches := false
	for _, p := range c.hsPrefixes {
		if hs != "" && strings.HasPrefix(hs, p) {
			hsMatches = true
		}
	}
	if len(c.specs) == 0 && len(c.specsAny) == 0 {
		return hsMatches, "hs_code", nil
	}
	// With spec conditions, HS prefixes narrow the rule when the item has an
	// HS code; an item without one is judged by its specs.
	if len(c.hsPrefixes) > 0 && hs != "" && !hsMatches {
		return false, "", nil
	}
	matched := map[string]specMatch{}
	for key, cond := range c.specs {
		v := it.specs[key]
		if ok, _ := cond.holds(v); !ok {
			return false, "", nil
		}
		matched[key] = specMatch{Value: v, Condition: cond.describe()}
	}
	if len(c.specsAny) > 0 {
		anyHolds := false
		for _, key := range sortedKeys(c.specsAny) {
			cond := c.specsAny[key]
			v := it.specs[key]
			if ok, _ := cond.holds(v); ok {
				anyHolds = true
				matched[key] = specMatch{Value: v, Condition: cond.describe()}
			}
		}
		if !anyHolds {
			return false, "", nil
		}
	}
	return true, "specs", matched
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type compiledRule struct {
	SpecUseRule
	sel  compiledSelector
	uses keywordSet
}

type compiledQuantityRule struct {
	QuantityRule
	sel  compiledSelector
	uses keywordSet
}

// SpecUseCheck raises spec_use_mismatch.
type SpecUseCheck struct {
	s       SpecUseSettings
	catalog map[string]*Product
	rules   []compiledRule
	qrules  []compiledQuantityRule
	vague   []string // compacted vague phrases, then fillers, each longest first
}

// NewSpecUseCheck builds the check from validated settings and the catalogue.
func NewSpecUseCheck(s SpecUseSettings, products []Product) *SpecUseCheck {
	c := &SpecUseCheck{s: s, catalog: map[string]*Product{}}
	for i := range products {
		c.catalog[productCodeKey(products[i].Code)] = &products[i]
	}
	for _, r := range s.Rules {
		c.rules = append(c.rules, compiledRule{SpecUseRule: r, sel: compileSelector(r.Select), uses: newKeywordSet(r.ImplausibleUses)})
	}
	for _, r := range s.QuantityRules {
		c.qrules = append(c.qrules, compiledQuantityRule{QuantityRule: r, sel: compileSelector(r.Select), uses: newKeywordSet(r.SmallUses)})
	}
	// Phrases are removed before fillers, each longest first, so that a
	// filler never cuts a phrase apart.
	var phrases, fillers []string
	for _, p := range s.VagueUse.Phrases {
		if k := compact(p); k != "" {
			phrases = append(phrases, k)
		}
	}
	for _, f := range s.VagueUse.Fillers {
		if k := compact(f); k != "" {
			fillers = append(fillers, k)
		}
	}
	for _, l := range [][]string{phrases, fillers} {
		sort.SliceStable(l, func(i, j int) bool { return len(l[i]) > len(l[j]) })
		c.vague = append(c.vague, l...)
	}
	return c
}

// Code implements Check.
func (c *SpecUseCheck) Code() string { return CodeSpecUseMismatch }

// resolve looks an item up in the catalogue; what the inquiry says wins over
// the catalogue, key by key.
func (c *SpecUseCheck) resolve(i int, it *Item) *resolvedItem {
	r := &resolvedItem{index: i, item: it, hsCode: it.HSCode, controlEntry: it.ControlEntry, specs: map[string]any{}}
	r.label = it.Product
	if r.label == "" {
		r.label = it.Description
	}
	if p, ok := c.catalog[productCodeKey(it.Product)]; ok && it.Product != "" {
		r.product = p
		if r.hsCode == "" {
			r.hsCode = p.HSCode
		}
		if r.controlEntry == "" {
			r.controlEntry = p.ControlEntry
		}
		for k, v := range p.Specs {
			r.specs[k] = v
		}
	}
	for k, v := range it.Specs {
		r.specs[k] = v
	}
	if u, ok := r.specs["quantity_unit"].(string); ok {
		r.quantityUnit = u
	}
	return r
}

// isVague reports whether a declared use says nothing: empty, or made only of
// vague phrases and fillers ("for general use", 「一般用途です」, "for use").
func (c *SpecUseCheck) isVague(use string) (vague bool, reason string) {
	rest := compact(use)
	if rest == "" {
		return true, "empty"
	}
	for _, v := range c.vague {
		rest = strings.ReplaceAll(rest, v, "")
	}
	if rest == "" {
		return true, "vague"
	}
	return false, ""
}

// itemEvidence describes a selected item for a reviewer.
type itemEvidence struct {
	Index        int                  `json:"index"`
	Product      string               `json:"product,omitempty"`
	Description  string               `json:"description,omitempty"`
	Quantity     float64              `json:"quantity"`
	QuantityUnit string               `json:"quantity_unit,omitempty"`
	HSCode       string               `json:"hs_code,omitempty"`
	ControlEntry string               `json:"control_entry,omitempty"`
	SelectedBy   string               `json:"selected_by"` // product, control_entry, hs_code or specs
	Specs        map[string]specMatch `json:"specs,omitempty"`
	FromCatalog  bool                 `json:"from_catalogue"`
}

func newItemEvidence(it *resolvedItem, by string, specs map[string]specMatch) itemEvidence {
	desc := it.item.Description
	if desc == "" && it.product != nil {
		desc = it.product.Name
	}
	return itemEvidence{
		Index: it.index, Product: it.item.Product, Description: desc, Quantity: it.item.Quantity,
		QuantityUnit: it.quantityUnit, HSCode: it.hsCode, ControlEntry: it.controlEntry,
		SelectedBy: by, Specs: specs, FromCatalog: it.product != nil,
	}
}

// Run implements Check.
func (c *SpecUseCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	inq := in.Inquiry
	items := make([]*resolvedItem, len(inq.Items))
	for i := range inq.Items {
		items[i] = c.resolve(i, &inq.Items[i])
	}
	use := prepareText(inq.EndUse)
	var flags []Flag
	// selectedAny collects items some rule picks, for the vague-use flag.
	type selectedItem struct {
		ev    itemEvidence
		rules []string
		cites []string
	}
	var selectedAny []*selectedItem
	selectedByIndex := map[int]*selectedItem{}
	noteSelected := func(it *resolvedItem, by string, specs map[string]specMatch, id string, cites []string) {
		s, ok := selectedByIndex[it.index]
		if !ok {
			s = &selectedItem{ev: newItemEvidence(it, by, specs)}
			selectedByIndex[it.index] = s
			selectedAny = append(selectedAny, s)
		}
		s.rules = append(s.rules, id)
		s.cites = appendNew(s.cites, cites...)
	}

	for _, r := range c.rules {
		var hit []itemEvidence
		var labels, labelsJA []string
		for _, it := range items {
			ok, by, specs := r.sel.selects(it)
			if !ok {
				continue
			}
			// The product is of controlled grade whatever the quantity: an
			// empty or vague use is worth asking about either way.
			noteSelected(it, by, specs, r.ID, r.Citations)
			if r.Quantity != nil {
				q, conv := convertQuantity(it.item.Quantity, unitOr(it.quantityUnit, r.Quantity.Unit), r.Quantity.Unit)
				if !conv || q < r.Quantity.GTE {
					continue
				}
			}
			hit = append(hit, newItemEvidence(it, by, specs))
			labels = append(labels, it.label)
			labelsJA = append(labelsJA, it.label)
		}
		if len(hit) == 0 {
			continue
		}
		matched := r.uses.find(use)
		if len(matched) == 0 {
			continue
		}
		en := fmt.Sprintf("The declared use (“%s”) does not fit %s: %s. A customer rarely needs this capability for that use. Ask what the product will really be used for, and where it will be installed, before quoting.",
			inq.EndUse, joinNames(labels, 3, "en"), r.Title)
		ja := fmt.Sprintf("製品 %s は%sです。申告された用途（%s）は、この性能に見合いません。この用途にこれほどの性能が必要になることはまずありません。見積もりの前に、実際の用途と設置場所を顧客に確認してください。",
			joinNames(labelsJA, 3, "ja"), r.TitleJA, inq.EndUse)
		flags = append(flags, Flag{
			Code: CodeSpecUseMismatch, Severity: severityFor(r.Points), Points: r.Points,
			Message: en, MessageJA: ja,
			Evidence: map[string]any{
				"kind": "use_mismatch", "rule_id": r.ID, "rule": r.Title, "citations": r.Citations,
				"items": hit, "declared_use": inq.EndUse, "matched_keywords": matched,
			},
		})
	}

	for _, r := range c.qrules {
		matched := r.uses.find(use)
		var hit []itemEvidence
		var labels []string
		var worst float64
		for _, it := range items {
			ok, by, specs := r.sel.selects(it)
			if !ok {
				continue
			}
			if len(matched) == 0 {
				continue
			}
			q, conv := convertQuantity(it.item.Quantity, unitOr(it.quantityUnit, r.Unit), r.Unit)
			if !conv || q <= r.MaxQuantity {
				continue
			}
			worst = math.Max(worst, q)
			hit = append(hit, newItemEvidence(it, by, specs))
			labels = append(labels, it.label)
		}
		if len(hit) == 0 {
			continue
		}
		unit := r.Unit
		if unit == "" {
			unit = "pcs"
		}
		qty := strconv.FormatFloat(worst, 'g', -1, 64)
		maxQty := strconv.FormatFloat(r.MaxQuantity, 'g', -1, 64)
		en := fmt.Sprintf("The quantity (%s %s of %s) is far more than the declared use (“%s”) needs: for such a use, up to %s %s is usual. Ask why so much is needed and where it will go.",
			qty, unit, joinNames(labels, 3, "en"), inq.EndUse, maxQty, unit)
		ja := fmt.Sprintf("申告された用途（%s）に対して、数量（%s を %s %s）が多すぎます（この用途の目安は %s %s まで）。なぜこの量が必要か、どこで使うのかを確認してください。",
			inq.EndUse, joinNames(labels, 3, "ja"), qty, unit, maxQty, unit)
		flags = append(flags, Flag{
			Code: CodeSpecUseMismatch, Severity: severityFor(r.Points), Points: r.Points,
			Message: en, MessageJA: ja,
			Evidence: map[string]any{
				"kind": "quantity_out_of_scale", "rule_id": r.ID, "rule": r.Title, "citations": r.Citations,
				"items": hit, "declared_use": inq.EndUse, "matched_keywords": matched,
				"max_quantity": r.MaxQuantity, "unit": unit,
			},
		})
	}

	if len(selectedAny) > 0 && c.s.VagueUse.Points > 0 {
		if vague, reason := c.isVague(inq.EndUse); vague {
			var evItems []itemEvidence
			var labels, rules, cites []string
			for _, s := range selectedAny {
				evItems = append(evItems, s.ev)
				labels = append(labels, items[s.ev.Index].label)
				rules = appendNew(rules, s.rules...)
				cites = appendNew(cites, s.cites...)
			}
			p := c.s.VagueUse.Points
			var en, ja string
			if reason == "empty" {
				en = fmt.Sprintf("No use was declared for %s, a product with controlled-grade capabilities. Ask the customer for the concrete end use (what it will make, where it will be installed) before quoting.",
					joinNames(labels, 3, "en"))
				ja = fmt.Sprintf("%s は規制水準の性能を持つ製品ですが、用途が申告されていません。見積もりの前に、具体的な用途（何を作るのか、どこに設置するのか）を顧客に確認してください。",
					joinNames(labels, 3, "ja"))
			} else {
				en = fmt.Sprintf("The declared use (“%s”) says nothing concrete for %s, a product with controlled-grade capabilities. Ask the customer for the concrete end use (what it will make, where it will be installed) before quoting.",
					inq.EndUse, joinNames(labels, 3, "en"))
				ja = fmt.Sprintf("%s は規制水準の性能を持つ製品ですが、申告された用途（%s）が具体的ではありません。見積もりの前に、具体的な用途（何を作るのか、どこに設置するのか）を顧客に確認してください。",
					joinNames(labels, 3, "ja"), inq.EndUse)
			}
			flags = append(flags, Flag{
				Code: CodeSpecUseMismatch, Severity: severityFor(p), Points: p, Message: en, MessageJA: ja,
				Evidence: map[string]any{
					"kind": "vague_use", "reason": reason, "declared_use": inq.EndUse,
					"items": evItems, "rule_ids": rules, "citations": cites,
				},
			})
		}
	}
	return flags, nil
}

func unitOr(u, def string) string {
	if strings.TrimSpace(u) == "" {
		return def
	}
	return u
}

// appendNew appends the values not yet in list.
func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, l := range list {
			if l == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
