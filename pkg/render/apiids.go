package render

import (
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/plan"
	"github.com/django-serverless/django-serverless-action/pkg/record"
)

// Logical IDs of the API resources whose type depends on api.type.
// CloudFormation refuses an update that changes a resource's type under
// the same logical ID ("Update of resource type is not permitted"), so a
// REST stage and an HTTP stage never share one: REST keeps the IDs it
// always had, HTTP's are prefixed. A stack deployed before this keeps
// whatever IDs its record (or its outputs, see action.PreviousRecord)
// says it has, and a switch of type never takes an ID the deployed API
// holds with the other type.
const (
	restStageID     = "Stage"
	restDomainID    = "CustomDomain"
	httpStageID     = "HttpStage"
	httpDomainID    = "HttpCustomDomain"
	restStageAltID  = "RestStage"
	restDomainAltID = "RestCustomDomain"
)

// apiIDs returns the logical IDs of the stage and the custom domain for
// the plan, and what the record says of the API. A switch of api.type
// that keeps the same API Gateway custom domain cannot succeed in one
// update (CloudFormation creates the new domain name before it deletes
// the old one, and API Gateway holds a name once): it is an error.
func apiIDs(pl *plan.Plan) (*record.API, error) {
	a := &record.API{Type: pl.APIType, StageID: restStageID}
	domainID := restDomainID
	if pl.APIType == "http" {
		a.StageID, domainID = httpStageID, httpDomainID
	}
	var prev *record.API
	if pl.Previous != nil {
		prev = pl.Previous.API
	}
	if d := pl.Domain; d != nil && d.Front == plan.FrontAPIGateway {
		a.Domain = d.Name
	}
	if prev != nil && prev.Inferred && prev.SiteDomain != "" && pl.Domain != nil && pl.Domain.HostedZoneID != "" && pl.Domain.Name == prev.SiteDomain {
		return nil, fmt.Errorf("render: domain %s with hosted_zone_id: this stack was deployed by an earlier django-serverless, which kept the domain's Route 53 records "+
			"in a nested stack (ApiStack or StaticStack); they are now in the root stack, whatever serves the domain, and Route 53 refuses the new record while the old one exists, "+
			"so this update would roll back. Deploy once without hosted_zone_id (the old records are deleted: the name stops resolving until the next deploy), then with it; "+
			"or point the name yourself (DomainTarget output) and leave hosted_zone_id out", pl.Domain.Name)
	}
	switch {
	case prev == nil:
	case prev.Type == pl.APIType:
		a.StageID = prev.StageID
		if prev.DomainID != "" {
			domainID = prev.DomainID
		}
	default:
		if a.Domain != "" && a.Domain == prev.Domain {
			return nil, fmt.Errorf("render: api.type %s: the deployed API is %s and API Gateway serves the custom domain %s for it; "+
				"a new API's custom domain of the same name cannot be created before the old one is deleted (API Gateway holds a domain name once, "+
				"and CloudFormation creates before it deletes), so this switch would roll back. Deploy once with api.type %s and without domain "+
				"(the custom domain is deleted), then again with it; or destroy the environment first; or keep api.type %s",
				pl.APIType, prev.Type, prev.Domain, pl.APIType, prev.Type)
		}
		if a.StageID == prev.StageID {
			a.StageID = restStageAltID
		}
		if domainID == prev.DomainID {
			domainID = restDomainAltID
		}
	}
	if a.Domain != "" {
		a.DomainID = domainID
	}
	return a, nil
}
