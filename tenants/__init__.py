"""Tenancy: the database handle, vendors (tenants), users and roles, client accounts and teams.

This package imports no other domain package and nothing from ``app``; the one place where tenant
scoping is enforced is :mod:`tenants.scoping`.
"""
