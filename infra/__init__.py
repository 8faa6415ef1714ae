"""The CDK app and the resource specifications it shares with the devstack."""
