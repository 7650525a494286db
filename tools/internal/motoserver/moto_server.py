"""moto_server with one fix, started by the gitops tests.

moto 5.2.1 gives a stack created or updated through a change set the
outputs of the template it was created with, which for a change set is the
empty one: DescribeStacks shows no Outputs. Real CloudFormation shows the
outputs of the template the change set applied, and apply feeds them into
the parameters of dependent stacks, so the tests need them. This rebuilds
the stack's template and outputs after a change set runs, as moto's own
UpdateStack does.

moto also fails (HTTP 500, KeyError 'FromPort') on a security group whose
template rule has no ports, which CloudFormation accepts for IpProtocol -1
(all traffic) and the estate's NAT instances use; the rule gets -1 to -1,
as EC2 itself records it. And an instance's block device without a size
(the estate's NAT instances size their root volume from the AMI, as EC2
does) gets the 8 GiB of an Amazon Linux root volume instead of moto's
"must contain the parameter size/snapshot". Everything else is moto as
installed.

The server also ends when the test binary that started it does, however
that ends, so no test run leaves one behind.
"""
import os
import sys
import threading
import time

from moto.cloudformation import models
from moto.server import main

_apply = models.ChangeSet.apply


def apply(self):
    _apply(self)
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()


models.ChangeSet.apply = apply

from moto.ec2.models import security_groups

_create_group = security_groups.SecurityGroup.create_from_cloudformation_json.__func__


def create_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    for rule in cloudformation_json.get("Properties", {}).get("SecurityGroupIngress", []):
        rule.setdefault("FromPort", -1)
        rule.setdefault("ToPort", -1)
    return _create_group(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


security_groups.SecurityGroup.create_from_cloudformation_json = classmethod(create_group)

from moto.ec2.models import elastic_block_store

_create_volume = elastic_block_store.EBSBackend.create_volume


def create_volume(self, size, zone_name, snapshot_id=None, *args, **kwargs):
    if size is None and snapshot_id is None:
        size = 8
    return _create_volume(self, size, zone_name, snapshot_id, *args, **kwargs)


elastic_block_store.EBSBackend.create_volume = create_volume


def exit_with_parent():
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    threading.Thread(target=exit_with_parent, daemon=True).start()
    sys.exit(main())
