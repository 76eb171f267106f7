"""Vendor billing with Stripe: plans and their limits, the subscription state kept on the tenant, webhook
events applied once each, and a local fake of the Stripe API for tests and the demo."""
