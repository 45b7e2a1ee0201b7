"""marshmallow schemas: the API's contract and the source of its OpenAPI document.

One module per blueprint (auth, school, content, learning, personal, photos, sync,
node); fields and the error shape every one shares are in common."""
