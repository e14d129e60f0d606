package screening

import (
	"context"
	"fmt"
	"strings"
)

// CodePayerMismatch is raised when the payer is not the customer and not one
// of the group companies the customer declares (METI 受注先と支払い元の不一致).
const CodePayerMismatch = "payer_mismatch"

// PayerSettings tune the payer_mismatch check (rules/payer_mismatch.yaml).
type PayerSettings struct {
	Disabled bool `yaml:"disabled"`
	// Points when a third party in the customer's country (or of unknown
	// country) pays.
	Points int `yaml:"points"`
	// ForeignPoints when the payer is in another country than the customer.
	ForeignPoints int `yaml:"foreign_points"`
}

// Validate checks the payer_mismatch settings.
func (s *PayerSettings) Validate() error {
	if s.Disabled {
		return nil
	}
	if err := validPoints("points", s.Points); err != nil {
		return err
	}
	return validPoints("foreign_points", s.ForeignPoints)
}

// PayerCheck raises payer_mismatch.
type PayerCheck struct {
	s PayerSettings
}

// NewPayerCheck builds the check from validated settings.
func NewPayerCheck(s PayerSettings) *PayerCheck { return &PayerCheck{s: s} }

// Code implements Check.
func (c *PayerCheck) Code() string { return CodePayerMismatch }

// Run implements Check.
func (c *PayerCheck) Run(ctx context.Context, in *Input) ([]Flag, error) {
	inq := in.Inquiry
	if inq.Payer == nil || strings.TrimSpace(inq.Payer.Name) == "" {
		return nil, nil
	}
	pk := in.NameKey(inq.Payer.Name)
	if pk == "" || groupKeys(in)[pk] {
		return nil, nil
	}
	cust, payer := &inq.Customer, inq.Payer
	crossBorder := cust.Country != "" && payer.Country != "" && cust.Country != payer.Country
	points := c.s.Points
	if crossBorder {
		points = max(c.s.ForeignPoints, c.s.Points)
	}
	var en, ja string
	if crossBorder {
		en = fmt.Sprintf("The payer %s (%s) is not the customer %s (%s), is not one of its declared group companies, and pays from another country. Payment by a third party abroad can hide who really buys. Ask why %s pays and how it is linked to the customer.",
			payer.Name, payer.Country, cust.Name, cust.Country, payer.Name)
		ja = fmt.Sprintf("支払者 %s（%s）は顧客 %s（%s）ではなく、申告されたグループ会社でもなく、しかも別の国から支払います。海外の第三者による支払いは、本当の買い手を隠している可能性があります。なぜ %s が支払うのか、顧客とどういう関係かを確認してください。",
			payer.Name, payer.Country, cust.Name, cust.Country, payer.Name)
	} else {
		en = fmt.Sprintf("The payer %s is not the customer %s and is not one of its declared group companies. Ask why a third party pays and how it is linked to the customer.",
			payer.Name, cust.Name)
		ja = fmt.Sprintf("支払者 %s は顧客 %s ではなく、申告されたグループ会社でもありません。なぜ第三者が支払うのか、顧客とどういう関係かを確認してください。",
			payer.Name, cust.Name)
	}
	return []Flag{{
		Code: CodePayerMismatch, Severity: severityFor(points), Points: points, Party: RolePayer,
		Message: en, MessageJA: ja,
		Evidence: map[string]any{
			"customer": cust.Name, "customer_country": cust.Country, "customer_key": customerKey(in),
			"payer": payer.Name, "payer_country": payer.Country, "payer_key": pk,
			"cross_border": crossBorder, "affiliates": nonNil(inq.Affiliates),
		},
	}}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
