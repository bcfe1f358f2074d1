"""Request and answer models of the JSON API, one module per source document.

They are the contract: spectree (portal/api/contract.py) validates requests with them
and writes the OpenAPI document from them. Field names are each document's own.
"""
